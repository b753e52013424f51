using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using MinimalApiEfCore;

var builder = WebApplication.CreateBuilder(args);
var connectionString = builder.Configuration.GetConnectionString("Shop")
    ?? throw new InvalidOperationException("Set ConnectionStrings:Shop (appsettings.json or ConnectionStrings__Shop).");
builder.Services.AddNpgsqlDataSource(connectionString);

// Lifeguard, line 1: guard the pool (wait, hold, leaks with stacks, who holds it, admission control, health).
builder.Services.AddLifeguard(o => o.LeakDetectionThreshold = TimeSpan.FromSeconds(30));
// Line 2: EF Core's own open and close around each query become leases of the guard.
builder.Services.AddDbContext<ShopDb>((sp, o) => o.UseNpgsql(sp.GetRequiredService<DbDataSource>()).UseLifeguard(sp));

var app = builder.Build();
// Line 3: /metrics, /health, /lifeguard (live page) and /lifeguard/state on the management port (appsettings.json).
app.MapLifeguard();

app.MapGet("/orders", (ShopDb db, CancellationToken ct) => db.Orders.OrderByDescending(o => o.Id).Take(20).ToListAsync(ct));
app.MapPost("/orders", async (NewOrder order, ShopDb db, CancellationToken ct) =>
{
    if (string.IsNullOrWhiteSpace(order.Customer) || order.Customer.Length > 100) return Results.BadRequest("customer: 1-100 characters");
    var saved = db.Orders.Add(new Order { Customer = order.Customer }).Entity;
    await db.SaveChangesAsync(ct);
    return Results.Created($"/orders/{saved.Id}", saved);
});

await using (var scope = app.Services.CreateAsyncScope())
{
    await scope.ServiceProvider.GetRequiredService<ShopDb>().Database.ExecuteSqlRawAsync(
        "CREATE TABLE IF NOT EXISTS sample_orders (id serial PRIMARY KEY, customer text NOT NULL)");
}
app.Run();
