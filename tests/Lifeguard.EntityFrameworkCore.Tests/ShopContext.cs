using Microsoft.EntityFrameworkCore;

namespace Lifeguard.EntityFrameworkCore.Tests;

/// <summary>A small context on its own table, as an app would have.</summary>
public sealed class ShopContext(DbContextOptions<ShopContext> options) : DbContext(options)
{
    public DbSet<Order> Orders => Set<Order>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.Entity<Order>(o =>
        {
            o.ToTable("ef_orders");
            o.Property(x => x.Id).HasColumnName("id");
            o.Property(x => x.Customer).HasColumnName("customer");
        });
}

/// <summary>A row of ef_orders.</summary>
public sealed class Order
{
    public int Id { get; set; }
    public string Customer { get; set; } = "";
}
