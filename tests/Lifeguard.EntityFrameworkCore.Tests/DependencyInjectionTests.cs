using System.Data.Common;
using Lifeguard.Attribution;
using Lifeguard.TestSupport;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Lifeguard.EntityFrameworkCore.Tests;

/// <summary>The one line in an app's DI: AddDbContext(... UseLifeguard(sp[, key])) on the real PostgreSQL.</summary>
public sealed class DependencyInjectionTests
{
    [Fact]
    public async Task UseLifeguardFromServices_KeyedPool_ContextLeasesFromThatPoolOnly()
    {
        var cs = TestPostgres.For(maxPoolSize: 3, application: "lifeguard-ef-tests");
        var services = new ServiceCollection();
        services.AddSingleton<DbDataSource>(_ => NpgsqlDataSource.Create(cs));
        services.AddKeyedSingleton<DbDataSource>("shop", (_, _) => NpgsqlDataSource.Create(cs));
        services.AddGuardedDataSource();
        services.AddGuardedDataSource("shop");
        services.AddDbContext<ShopContext>((sp, o) => o.UseNpgsql(sp.GetRequiredKeyedService<DbDataSource>("shop")).UseLifeguard(sp, "shop"));
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        await using (var scope = provider.CreateAsyncScope())
        using (LifeguardOperation.Begin("GET /shop"))
        {
            var db = scope.ServiceProvider.GetRequiredService<ShopContext>();
            await db.Database.ExecuteSqlRawAsync("CREATE TABLE IF NOT EXISTS ef_orders (id serial PRIMARY KEY, customer text NOT NULL)",
                TestContext.Current.CancellationToken);
            await db.Orders.CountAsync(TestContext.Current.CancellationToken);
        }

        var shop = provider.GetRequiredKeyedService<GuardedDataSource>("shop").Snapshot();
        shop.PoolName.ShouldBe("shop");
        shop.Leases.ShouldBe(2);
        shop.Wait.Count.ShouldBe(2);
        shop.Operations.ShouldHaveSingleItem().Operation.ShouldBe("GET /shop");
        provider.GetRequiredService<GuardedDataSource>().Snapshot().Leases.ShouldBe(0);
    }

    [Fact]
    public void UseLifeguardFromServices_NoGuardRegistered_ThrowsNamingTheFix()
    {
        using var provider = new ServiceCollection().BuildServiceProvider();
        Should.Throw<InvalidOperationException>(() => new DbContextOptionsBuilder<ShopContext>().UseLifeguard(provider, "shop"))
            .Message.ShouldContain("AddLifeguard(serviceKey");
    }
}
