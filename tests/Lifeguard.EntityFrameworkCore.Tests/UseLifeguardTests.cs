using System.Data.Common;
using Lifeguard.Attribution;
using Lifeguard.TestSupport;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Lifeguard.EntityFrameworkCore.Tests;

/// <summary>EF Core on the real PostgreSQL: every open EF makes is a lease of the guard.</summary>
public sealed class UseLifeguardTests
{
    private static async Task<GuardedDataSource> GuardAsync(LifeguardOptions? options = null, string? connectionString = null)
    {
        var inner = NpgsqlDataSource.Create(connectionString ?? TestPostgres.ConnectionString);
        await using (var c = await inner.OpenConnectionAsync())
        await using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = "CREATE TABLE IF NOT EXISTS ef_orders (id serial PRIMARY KEY, customer text NOT NULL)";
            await cmd.ExecuteNonQueryAsync();
        }
        return new GuardedDataSource(inner, options ?? new LifeguardOptions { ReadProviderPoolCounts = false });
    }

    private static ShopContext Context(DbDataSource efSource, GuardedDataSource? guard) =>
        new(guard is null
            ? new DbContextOptionsBuilder<ShopContext>().UseNpgsql(efSource).Options
            : new DbContextOptionsBuilder<ShopContext>().UseNpgsql(efSource).UseLifeguard(guard).Options);

    [Fact]
    public async Task UseLifeguard_QueriesOfAContext_AreLeasesWithWaitHoldAndTheirOperation()
    {
        await using var guard = await GuardAsync();
        await using (var db = Context(guard, guard))
        using (LifeguardOperation.Begin("GET /orders"))
        {
            db.Orders.Add(new Order { Customer = "ada" });
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
            (await db.Orders.CountAsync(TestContext.Current.CancellationToken)).ShouldBeGreaterThan(0);
            db.Orders.Where(o => o.Customer == "ada").ToList().ShouldNotBeEmpty();
        }

        var s = guard.Snapshot();
        s.InUse.ShouldBe(0);
        s.Leases.ShouldBe(3); // EF opened and closed its connection once per command
        s.Wait.Count.ShouldBe(3); // every open's wait was measured (sync and async)
        s.Hold.Count.ShouldBe(3);
        var op = s.Operations.ShouldHaveSingleItem();
        op.Operation.ShouldBe("GET /orders");
        op.Leases.ShouldBe(3);
    }

    [Fact]
    public async Task UseNpgsqlWithTheGuardAlone_QueriesOfAContext_HoldIsMeasuredButNotWait()
    {
        // Why UseLifeguard exists: EF given the guard as its DbDataSource only calls CreateConnection and opens the
        // connection itself, so the guard sees the lease when it is open already and cannot tell how long it waited.
        await using var guard = await GuardAsync();
        await using (var db = Context(guard, guard: null))
        {
            await db.Orders.CountAsync(TestContext.Current.CancellationToken);
            await db.Orders.CountAsync(TestContext.Current.CancellationToken);
        }

        var s = guard.Snapshot();
        s.Leases.ShouldBe(2);
        s.Hold.Count.ShouldBe(2);
        s.Wait.Count.ShouldBe(0);
    }

    [Fact]
    public async Task UseLifeguard_ContextThatKeepsItsConnectionOpen_IsReportedAsLeakWithTheBorrowersStack()
    {
        await using var guard = await GuardAsync(new LifeguardOptions
        {
            ReadProviderPoolCounts = false,
            LeakDetectionThreshold = TimeSpan.FromMilliseconds(200),
        });
        var db = Context(guard.Inner, guard);
        using (LifeguardOperation.Begin("report.nightly"))
            await HoldConnectionLikeABuggyRepositoryAsync(db);

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (guard.Snapshot().RecentLeaks.Count == 0 && DateTime.UtcNow < deadline)
            await Task.Delay(50, TestContext.Current.CancellationToken);

        var leak = guard.Snapshot().RecentLeaks.ShouldHaveSingleItem();
        leak.Operation.ShouldBe("report.nightly");
        leak.StackTrace.ShouldContain(nameof(HoldConnectionLikeABuggyRepositoryAsync));
        leak.ReturnedAt.ShouldBeNull();
        guard.Snapshot().ActiveLeaks.ShouldBe(1);

        await db.DisposeAsync(); // EF closes the connection: the lease ends and the leak is marked returned
        var after = guard.Snapshot();
        after.InUse.ShouldBe(0);
        after.ActiveLeaks.ShouldBe(0);
        after.RecentLeaks.ShouldHaveSingleItem().ReturnedAt.ShouldNotBeNull();
    }

    // Opens the context's connection by hand and "forgets" it: EF keeps it open until the context is disposed.
    private static async Task HoldConnectionLikeABuggyRepositoryAsync(ShopContext db)
    {
        await db.Database.OpenConnectionAsync(TestContext.Current.CancellationToken);
        await db.Orders.CountAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task UseLifeguard_SaturatedPoolWithAdmissionBudget_RejectsTheQueryFast()
    {
        var cs = new NpgsqlConnectionStringBuilder(TestPostgres.ConnectionString) { MaxPoolSize = 1, Timeout = 15 }.ConnectionString;
        await using var guard = await GuardAsync(new LifeguardOptions
        {
            ReadProviderPoolCounts = false,
            AdmissionBudget = TimeSpan.FromMilliseconds(100),
        }, cs);
        await using var holder = Context(guard.Inner, guard);
        await holder.Database.OpenConnectionAsync(TestContext.Current.CancellationToken);

        await using var other = Context(guard.Inner, guard);
        var ex = await Should.ThrowAsync<PoolAdmissionRejectedException>(() => other.Orders.CountAsync(TestContext.Current.CancellationToken));
        ex.PoolName.ShouldBe(guard.PoolName);
        guard.Snapshot().Rejections.ShouldBe(1);
    }
}
