using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Lifeguard.Testing.Network;
using Npgsql;

using Lifeguard.TestSupport;

namespace Lifeguard.AspNetCore.Tests;

/// <summary>The diagnosis where operators look: /lifeguard/diagnosis, /health, /metrics, the live page. Not in parallel
/// with other tests: every app's diagnoser judges the whole server, so a lock injected here is theirs too.</summary>
[Collection(DiagnosisCollection.Name)]
public sealed class DiagnosisEndpointsTests
{
    [Fact]
    public async Task Endpoints_NoFault_HealthyAndEveryCauseExportedFromTheStart()
    {
        var cs = TestPostgres.For(maxPoolSize: 4, timeoutSeconds: 5, application: "lifeguard-web-tests");
        await using var app = await GuardedTestApp.StartAsync(cs, services: s => s.AddLifeguardPostgres());
        var ct = TestContext.Current.CancellationToken;

        JsonElement diagnosis = default;
        await GuardedTestApp.Eventually(async () =>
        {
            diagnosis = await app.Management.GetFromJsonAsync<JsonElement>("/lifeguard/diagnosis", ct);
            return diagnosis.GetProperty("signals").ValueKind == JsonValueKind.Object;
        }, "a first diagnosis");
        diagnosis.GetProperty("cause").GetString().ShouldBe("healthy");
        foreach (var key in new[] { "summary", "evidence", "remedy", "avoid", "since", "confidence", "consequences" }) diagnosis.TryGetProperty(key, out _).ShouldBeTrue(key);
        diagnosis.GetProperty("signals").GetProperty("server").GetProperty("reachable").GetBoolean().ShouldBeTrue();

        var metrics = await app.Management.GetStringAsync("/metrics", ct);
        foreach (var cause in Lifeguard.Diagnosis.DiagnosisCauses.All)
            metrics.ShouldMatch($"lifeguard_diagnosis\\{{[^}}]*cause=\"{cause}\"", cause);
        metrics.ShouldMatch("lifeguard_diagnosis\\{[^}]*cause=\"healthy\"[^}]*\\} 1");
        metrics.ShouldMatch("lifeguard_diagnosis\\{[^}]*cause=\"lock_contention\"[^}]*\\} 0");

        var page = await app.Management.GetStringAsync("/lifeguard", ct);
        page.ShouldContain("id=\"cause\"");
        page.ShouldContain("src=\"lifeguard/charts.js\"");
        (await app.Management.GetStringAsync("/lifeguard/charts.js", ct)).ShouldContain("/diagnosis/history");
        using var historyResponse = await app.Management.GetAsync("/lifeguard/diagnosis/history", ct);
        historyResponse.Headers.GetValues("X-Lifeguard-History-Seconds").ShouldBe(["900"]); // 15 minutes for the charts
        var history = await historyResponse.Content.ReadFromJsonAsync<JsonElement>(ct);
        history.GetArrayLength().ShouldBeGreaterThan(0);
        var first = history[0];
        foreach (var key in new[] { "at", "cause", "in_use", "max", "waiters", "wait_p99_ms", "hold_p99_ms", "failures", "active_on_cpu", "lock_waiters", "active_waiting", "cores" })
            first.TryGetProperty(key, out _).ShouldBeTrue(key);

        // ?since= gives only the seconds after it: the charts poll the new seconds, not the whole window.
        var newest = history[history.GetArrayLength() - 1].GetProperty("at").GetString()!;
        var after = await app.Management.GetFromJsonAsync<JsonElement>("/lifeguard/diagnosis/history?since=" + Uri.EscapeDataString(newest), ct);
        after.EnumerateArray().ShouldAllBe(h => DateTimeOffset.Parse(h.GetProperty("at").GetString()!, System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.Parse(newest, System.Globalization.CultureInfo.InvariantCulture));
        using var bad = await app.Management.GetAsync("/lifeguard/diagnosis/history?since=yesterday", ct);
        ((int)bad.StatusCode).ShouldBe(400);
    }

    [Fact]
    public async Task Endpoints_NetworkToTheDatabaseSlowsDown_NameNetworkLatency()
    {
        var direct = new NpgsqlConnectionStringBuilder(TestPostgres.For(maxPoolSize: 4, timeoutSeconds: 5, application: "lifeguard-web-tests"));
        await using var proxy = new DelayRelay(direct.Host!, direct.Port);
        var cs = new NpgsqlConnectionStringBuilder(direct.ConnectionString) { Host = "127.0.0.1", Port = proxy.Port }.ConnectionString;
        var ct = TestContext.Current.CancellationToken;
        await using var app = await GuardedTestApp.StartAsync(cs, services: s => s.AddLifeguardPostgres());
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // Steady traffic, one statement per request: its hold is mostly round trips.
        var load = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try { using var _ = await app.Client.GetAsync("/query", stop.Token); await Task.Delay(50, stop.Token); }
                catch (Exception e) when (e is HttpRequestException or OperationCanceledException) { }
            }
        }, ct);
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(8), ct); // healthy seconds: the round-trip and hold baselines
            (await app.Management.GetFromJsonAsync<JsonElement>("/lifeguard/diagnosis", ct)).GetProperty("cause").GetString().ShouldBe("healthy");

            proxy.OneWayDelay = TimeSpan.FromMilliseconds(25); // each way, every packet
            JsonElement d = default;
            await GuardedTestApp.Eventually(async () =>
            {
                d = await app.Management.GetFromJsonAsync<JsonElement>("/lifeguard/diagnosis", ct);
                return d.GetProperty("cause").GetString() == "network_latency";
            }, "network_latency on /lifeguard/diagnosis");
            d.GetProperty("evidence").EnumerateArray().ShouldContain(e => e.GetString()!.StartsWith("round trip of a trivial query", StringComparison.Ordinal));
            d.GetProperty("avoid").GetString()!.ShouldContain("on the wire");
        }
        finally
        {
            await stop.CancelAsync();
            await load;
        }
    }

    [Fact]
    public async Task Endpoints_PoolPinnedByRequestsThatHoldTheirConnectionWithoutQuerying_NamePoolTooSmallAndSayTheyAreHeldIdle()
    {
        // Real requests that open a connection and then wait (as for a remote call) with it: the pool is pinned with
        // requests waiting, and the server sees the app's sessions idle, which the diagnosis reads from pg_stat_activity.
        var cs = TestPostgres.For(maxPoolSize: 2, timeoutSeconds: 10, application: "lifeguard-held-idle");
        var ct = TestContext.Current.CancellationToken;
        await using var app = await GuardedTestApp.StartAsync(cs, services: s => s.AddLifeguardPostgres());
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var load = Enumerable.Range(0, 5).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try { using var _ = await app.Client.GetAsync("/hold/700", stop.Token); } catch (Exception e) when (e is HttpRequestException or OperationCanceledException) { }
            }
        }, ct)).ToList();
        try
        {
            JsonElement d = default;
            await GuardedTestApp.Eventually(async () =>
            {
                d = await app.Management.GetFromJsonAsync<JsonElement>("/lifeguard/diagnosis", ct);
                return d.GetProperty("cause").GetString() == "pool_too_small"
                    && d.GetProperty("evidence").EnumerateArray().Any(e => e.GetString()!.Contains("leased connection(s) ran a statement", StringComparison.Ordinal));
            }, "pool_too_small with the held-idle evidence on /lifeguard/diagnosis");
            d.GetProperty("evidence").EnumerateArray().ShouldContain(e => e.GetString()!.Contains("'lifeguard-held-idle' sessions active", StringComparison.Ordinal));
            d.GetProperty("remedy").GetString()!.ShouldContain("shorten how long a request holds its connection");
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(load);
        }
    }

    [Fact]
    public async Task Endpoints_ConnectionsHeldPastTheLeakThreshold_NameConnectionLeak()
    {
        var cs = TestPostgres.For(maxPoolSize: 2, timeoutSeconds: 5, application: "lifeguard-web-tests");
        var ct = TestContext.Current.CancellationToken;
        await using var app = await GuardedTestApp.StartAsync(cs, o => o.LeakDetectionThreshold = TimeSpan.FromMilliseconds(300),
            services: s => s.AddLifeguardPostgres());
        // Two requests keep both connections for 8 s: past the leak threshold, the pool starves.
        var holds = Enumerable.Range(0, 2).Select(_ => app.Client.GetAsync("/hold/8000", ct)).ToList();
        JsonElement d = default;
        await GuardedTestApp.Eventually(async () =>
        {
            d = await app.Management.GetFromJsonAsync<JsonElement>("/lifeguard/diagnosis", ct);
            return d.GetProperty("cause").GetString() == "connection_leak";
        }, "connection_leak on /lifeguard/diagnosis");
        d.GetProperty("evidence").EnumerateArray().ShouldContain(e => e.GetString()!.Contains("2 lease(s) held past the leak threshold"));
        d.GetProperty("avoid").GetString()!.ShouldContain("Do not grow the pool");
        foreach (var h in holds) (await h).Dispose();
    }

    [Fact]
    public async Task Endpoints_RequestsQueuedOnALockHeldByAnIdleTransaction_NameLockContentionNotThePool()
    {
        // The case /health got wrong before: another session holds a lock, requests pile up, the pool runs dry.
        var cs = TestPostgres.For(maxPoolSize: 2, timeoutSeconds: 2, application: "lifeguard-web-tests");
        var ct = TestContext.Current.CancellationToken;
        var table = "diag_app_lock_" + Guid.NewGuid().ToString("N")[..8];
        await using var setup = new NpgsqlConnection(cs);
        await setup.OpenAsync(ct);
        await using (var create = new NpgsqlCommand($"CREATE TABLE {table} (id int); INSERT INTO {table} VALUES (1)", setup)) await create.ExecuteNonQueryAsync(ct);

        using var logs = new FakeLoggerProvider();
        await using var app = await GuardedTestApp.StartAsync(cs, services: s =>
        {
            s.AddLifeguardPostgres();
            s.AddLogging(b => b.AddProvider(logs));
        });
        await using var blocker = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(cs) { ApplicationName = "diag-migration", Pooling = false }.ConnectionString);
        await blocker.OpenAsync(ct);
        int blockerPid;
        await using (var pid = new NpgsqlCommand("SELECT pg_backend_pid()", blocker)) blockerPid = (int)(await pid.ExecuteScalarAsync(ct))!;
        await using var tx = await blocker.BeginTransactionAsync(ct);
        await using (var lockIt = new NpgsqlCommand($"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE", blocker, tx)) await lockIt.ExecuteNonQueryAsync(ct);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var load = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try { using var _ = await app.Client.GetAsync($"/count/{table}", stop.Token); } catch (Exception e) when (e is HttpRequestException or OperationCanceledException) { }
            }
        }, ct)).ToList();
        try
        {
            JsonElement d = default;
            await GuardedTestApp.Eventually(async () =>
            {
                d = await app.Management.GetFromJsonAsync<JsonElement>("/lifeguard/diagnosis", ct);
                return d.GetProperty("cause").GetString() == "lock_contention";
            }, "lock_contention on /lifeguard/diagnosis");
            d.GetProperty("signals").GetProperty("server").GetProperty("root_blocker").GetProperty("pid").GetInt32().ShouldBe(blockerPid);
            d.GetProperty("evidence").EnumerateArray().ShouldContain(e => e.GetString()!.Contains($"pid {blockerPid}"));

            var (_, health) = await app.HealthAsync();
            var check = health.GetProperty("checks").GetProperty("lifeguard");
            check.GetProperty("data").GetProperty("cause").GetString().ShouldBe("lock_contention");
            check.GetProperty("description").GetString()!.ShouldStartWith("lock_contention:");
            (await app.Management.GetStringAsync("/metrics", ct)).ShouldMatch("lifeguard_diagnosis\\{[^}]*cause=\"lock_contention\"[^}]*\\} 1");

            // The log event when the cause changes: one warning naming the cause, with the evidence (the blocker's pid) on it.
            // The diagnosis is visible a moment before the event's handler has logged it (the event is raised outside
            // the diagnoser's lock): waited for, as the endpoint was.
            static bool NamesTheLock(FakeLogRecord r) => r.Id.Id == 20 && r.Message.Contains("diagnosis for pool", StringComparison.Ordinal)
                && r.Message.Contains(": lock_contention (was ", StringComparison.Ordinal);
            await GuardedTestApp.Eventually(() => Task.FromResult(logs.Collector.GetSnapshot().Any(NamesTheLock)), "the cause-change log event");
            var named = logs.Collector.GetSnapshot().First(NamesTheLock);
            named.Level.ShouldBe(LogLevel.Warning);
            named.Message.ShouldContain($"pid {blockerPid}");
        }
        finally
        {
            await tx.RollbackAsync(CancellationToken.None);
            await stop.CancelAsync();
            await Task.WhenAll(load);
        }
        try
        {
            await GuardedTestApp.Eventually(async () =>
                (await app.Management.GetFromJsonAsync<JsonElement>("/lifeguard/diagnosis", ct)).GetProperty("cause").GetString() == "healthy", "healthy after the rollback");
            await GuardedTestApp.Eventually(() => Task.FromResult(logs.Collector.GetSnapshot().Any(r => r.Id.Id == 21)), "the healthy-again log event");
            var recovered = logs.Collector.GetSnapshot().Last(r => r.Id.Id == 21);
            recovered.Level.ShouldBe(LogLevel.Information);
            recovered.Message.ShouldContain("healthy again (was ");
        }
        finally
        {
            await using var drop = new NpgsqlCommand($"DROP TABLE {table}", setup);
            await drop.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DiagnosisCollection
{
    public const string Name = "Diagnosis";
}
