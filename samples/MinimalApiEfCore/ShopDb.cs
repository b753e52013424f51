using Microsoft.EntityFrameworkCore;

namespace MinimalApiEfCore;

/// <summary>The sample's context: one table of orders.</summary>
public sealed class ShopDb(DbContextOptions<ShopDb> options) : DbContext(options)
{
    /// <summary>sample_orders.</summary>
    public DbSet<Order> Orders => Set<Order>();

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.Entity<Order>(o =>
        {
            o.ToTable("sample_orders");
            o.Property(x => x.Id).HasColumnName("id");
            o.Property(x => x.Customer).HasColumnName("customer");
        });
}
