using System.Diagnostics;
using System.Net;
using Lifeguard.Testing.Network;
using Npgsql;
using Website.Tests.Infrastructure;

namespace Website.Tests.Integration;

/// <summary>PostgreSQL down, hung or locked: pages answer 503 quickly, and the site recovers on its own.</summary>
public sealed class ResilienceTests(SiteFixture site) : IClassFixture<SiteFixture>
{
    // Generous bound that still proves "never hangs": connect timeout 1 s, command timeout 1 s in these tests.
    private static readonly TimeSpan Quick = TimeSpan.FromSeconds(8);

    private static string ViaProxy(string cs, DelayRelay proxy) =>
        new NpgsqlConnectionStringBuilder(cs) { Host = "127.0.0.1", Port = proxy.Port, Timeout = 1, CommandTimeout = 1 }.ConnectionString;

    private static async Task<(HttpStatusCode Status, string Body, TimeSpan Took)> TimedGetAsync(SiteClient client, string path)
    {
        var sw = Stopwatch.StartNew();
        using var r = await client.Http.GetAsync(path);
        return (r.StatusCode, await r.Content.ReadAsStringAsync(), sw.Elapsed);
    }

    [Fact]
    public async Task Site_DatabaseRefusesConnections_LoginAnswers503QuicklyAndHealthStaysUp()
    {
        var cs = new NpgsqlConnectionStringBuilder(site.Db.ConnectionString) { Port = 1, Timeout = 1 }.ConnectionString;
        await using var down = await RunningSite.StartAsync(cs);
        using var client = down.NewClient();
        var sw = Stopwatch.StartNew();
        using var r = await client.LoginAsync(site.Data.A.Email, KnownDataSet.Password);
        sw.Elapsed.ShouldBeLessThan(Quick);
        r.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        r.Headers.RetryAfter.ShouldNotBeNull();
        var body = await r.Content.ReadAsStringAsync();
        body.ShouldContain("temporarily unavailable");
        body.ShouldNotContain("Exception");
        (await client.Http.GetAsync("/health")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Dashboard_DatabaseCutThenRestored_503ThenRecoversByItself()
    {
        var pg = new NpgsqlConnectionStringBuilder(site.Db.ConnectionString);
        await using var proxy = new DelayRelay("127.0.0.1", pg.Port);
        await using var guarded = await RunningSite.StartAsync(ViaProxy(site.Db.ConnectionString, proxy), time: site.Clock);
        using var client = guarded.NewClient();
        (await client.LoginAsync(site.Data.A.Email, KnownDataSet.Password)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await TimedGetAsync(client, "/dashboard")).Status.ShouldBe(HttpStatusCode.OK);

        proxy.Cut();
        for (var i = 0; i < 3; i++)
        {
            var (status, body, took) = await TimedGetAsync(client, "/dashboard");
            status.ShouldBe(HttpStatusCode.ServiceUnavailable);
            took.ShouldBeLessThan(Quick);
            body.ShouldNotContain("   at ");
        }

        proxy.Start();
        var recovered = false;
        for (var i = 0; i < 10 && !recovered; i++)
        {
            recovered = (await TimedGetAsync(client, "/dashboard")).Status == HttpStatusCode.OK;
            if (!recovered)
            {
                await Task.Delay(200);
            }
        }

        recovered.ShouldBeTrue("the site must recover without a restart once PostgreSQL is reachable again");
    }

    [Fact]
    public async Task Dashboard_DatabaseStopsAnswering_503WithinTheTimeout()
    {
        var pg = new NpgsqlConnectionStringBuilder(site.Db.ConnectionString);
        await using var proxy = new DelayRelay("127.0.0.1", pg.Port);
        await using var guarded = await RunningSite.StartAsync(ViaProxy(site.Db.ConnectionString, proxy) + ";Pooling=false", time: site.Clock);
        using var client = guarded.NewClient();
        (await client.LoginAsync(site.Data.A.Email, KnownDataSet.Password)).StatusCode.ShouldBe(HttpStatusCode.Redirect);

        proxy.BlackHole = true;
        var (status, _, took) = await TimedGetAsync(client, "/dashboard");
        status.ShouldBe(HttpStatusCode.ServiceUnavailable);
        took.ShouldBeLessThan(Quick);
    }

    [Fact]
    public async Task Dashboard_TableLockedBySlowTransaction_503ThenRecoversWhenReleased()
    {
        var cs = new NpgsqlConnectionStringBuilder(site.Db.ConnectionString) { CommandTimeout = 1 }.ConnectionString;
        await using var slow = await RunningSite.StartAsync(cs, time: site.Clock);
        using var client = slow.NewClient();
        (await client.LoginAsync(site.Data.A.Email, KnownDataSet.Password)).StatusCode.ShouldBe(HttpStatusCode.Redirect);

        await using (var blocker = await site.Db.OpenAsync())
        {
            await using var tx = await blocker.BeginTransactionAsync();
            await using (var cmd = new NpgsqlCommand("LOCK TABLE orders IN ACCESS EXCLUSIVE MODE", blocker, tx))
            {
                await cmd.ExecuteNonQueryAsync();
            }

            var (status, _, took) = await TimedGetAsync(client, "/dashboard");
            status.ShouldBe(HttpStatusCode.ServiceUnavailable);
            took.ShouldBeLessThan(Quick);
            await tx.RollbackAsync();
        }

        (await TimedGetAsync(client, "/dashboard")).Status.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Dashboard_PoolExhaustedBySlowRequest_NextRequestGets503InsteadOfHanging()
    {
        // The postmortem in miniature: a pool too small for slow work. The waiting request must fail fast.
        var cs = new NpgsqlConnectionStringBuilder(site.Db.ConnectionString) { MaxPoolSize = 1, Timeout = 1, CommandTimeout = 4 }.ConnectionString;
        await using var tiny = await RunningSite.StartAsync(cs, time: site.Clock);
        using var first = tiny.NewClient();
        using var second = tiny.NewClient();
        (await first.LoginAsync(site.Data.A.Email, KnownDataSet.Password)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await second.LoginAsync(site.Data.B.Email, KnownDataSet.Password)).StatusCode.ShouldBe(HttpStatusCode.Redirect);

        Task<(HttpStatusCode Status, string Body, TimeSpan Took)> holder;
        await using (var blocker = await site.Db.OpenAsync())
        {
            await using var tx = await blocker.BeginTransactionAsync();
            await using (var cmd = new NpgsqlCommand("LOCK TABLE orders IN ACCESS EXCLUSIVE MODE", blocker, tx))
            {
                await cmd.ExecuteNonQueryAsync();
            }

            holder = TimedGetAsync(first, "/dashboard");
            await WaitUntilWaitingOnLockAsync(blocker);

            var (status, body, took) = await TimedGetAsync(second, "/dashboard");
            status.ShouldBe(HttpStatusCode.ServiceUnavailable);
            took.ShouldBeLessThan(Quick);
            body.ShouldNotContain("Bravo Secret Shop");
            await tx.RollbackAsync();
        }

        (await holder).Status.ShouldBe(HttpStatusCode.OK, "the slow request finishes once the lock is gone");
        (await TimedGetAsync(second, "/dashboard")).Status.ShouldBe(HttpStatusCode.OK);
    }

    private static async Task WaitUntilWaitingOnLockAsync(NpgsqlConnection observer)
    {
        for (var i = 0; i < 50; i++)
        {
            await using var cmd = new NpgsqlCommand(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'", observer);
            if ((long)(await cmd.ExecuteScalarAsync())! > 0)
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new InvalidOperationException("the first dashboard request never blocked on the lock");
    }
}
