using System.Data.Common;
using Lifeguard.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Website.Dashboards;
using Website.Tests.Infrastructure;

namespace Website.Tests.Integration;

/// <summary>
/// Lifeguard.Testing against the website's own pool: the DbDataSource exactly as WebsiteApp builds it from
/// configuration (guard included), loaded with the real dashboard queries at the peak the site is benchmarked at.
/// </summary>
public sealed class DashboardPoolLoadTests(SiteFixture site) : IClassFixture<SiteFixture>
{
    private const int PeakUsers = 32;

    [Fact]
    public async Task RunAsync_DashboardAtPeakConcurrency_ConfiguredPoolNobodyTimesOutAndWaitsStayWithinTheQueue()
    {
        var dataSource = site.Site.Services.GetRequiredService<DbDataSource>();
        var dashboards = site.Site.Services.GetRequiredService<DashboardService>();
        var workspaces = new[] { site.Data.A.Id, site.Data.B.Id };
        var next = 0;

        async Task Dashboard(DbConnection connection, CancellationToken ct)
        {
            var workspace = workspaces[Interlocked.Increment(ref next) % workspaces.Length];
            (await dashboards.LoadAsync(connection, workspace, ct)).ShouldNotBeNull();
        }

        // Warm first: the site's pool (default 100) is larger than the peak, so without a queue the only "wait" is opening
        // 32 physical connections at once, which a busy CI host stretched past the bound below (the bound is about the
        // queue, not about how fast PostgreSQL forks backends).
        await PoolLoadTest.RunAsync(dataSource, PeakUsers, TimeSpan.FromSeconds(1), Dashboard, TestContext.Current.CancellationToken);
        var result = await PoolLoadTest.RunAsync(dataSource, PeakUsers, TimeSpan.FromSeconds(3), Dashboard, TestContext.Current.CancellationToken);

        var why = $"{result.Operations} dashboards, wait p99 {result.Wait.P99 * 1000:0.#} ms, hold p99 {result.Hold.P99 * 1000:0.#} ms, first error: {result.FirstError}";
        result.FirstError.ShouldBeNull(why);
        result.Timeouts.ShouldBe(0, why);
        result.Errors.ShouldBe(0, why);
        result.Operations.ShouldBeGreaterThan(PeakUsers, why);
        // A waiter has at most (users - pool) others ahead of it, served pool at a time: its wait is about that many
        // holds (plus the hand-over, twice that as margin). Both sides slow down together on a busy machine, so the
        // bound holds where a fixed 1 s did not (1.14 s seen at load average 21); a queue that is not served in turn breaks it.
        var pool = new NpgsqlConnectionStringBuilder(site.Site.Services.GetRequiredService<NpgsqlDataSource>().ConnectionString).MaxPoolSize;
        var rounds = Math.Ceiling((PeakUsers - pool) / (double)pool);
        // p99, not max: with the pool larger than the peak there is no queue, and one thread-pool stall on a 2-core host
        // (32 users on two cores) lands in a single wait sample; a queue not served in turn moves the p99.
        result.Wait.P99.ShouldBeLessThanOrEqualTo(2 * (Math.Max(rounds, 0) + 1) * result.Hold.Max, why);
    }

    [Fact]
    public void IsValid_WebsiteResolvedConnectionString_NoErrorsButPoolSizeLeftAtDefault()
    {
        // What the site really runs with: ConnectionStrings:Main plus its fail-fast defaults (Timeout 3 s).
        var resolved = site.Site.Services.GetRequiredService<NpgsqlDataSource>().ConnectionString;

        PoolConfigurationAssert.IsValid(resolved);
        PoolConfigurationAssert.HasFinding(resolved, "LG008");
        new NpgsqlConnectionStringBuilder(resolved).Timeout.ShouldBe(3);
    }
}
