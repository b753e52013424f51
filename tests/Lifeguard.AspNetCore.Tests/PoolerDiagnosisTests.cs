using System.Net.Http.Json;
using System.Text.Json;
using Lifeguard.Postgres.Pooler;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Lifeguard.TestSupport;

namespace Lifeguard.AspNetCore.Tests;

/// <summary>
/// The diagnosis of an app behind a real PgBouncer (Debian's, transaction mode) in front of the test cluster: the
/// pooler's queue is named pooler_saturated with its evidence, never the application's pool nor a server that is up.
/// </summary>
[Collection(DiagnosisCollection.Name)]
public sealed class PoolerDiagnosisTests
{
    private const string PoolerSaturated = "pooler_saturated";

    [Fact]
    public async Task Diagnosis_PoolersPoolShrunkToOneUnderLoad_NamesPoolerSaturatedNotPoolTooSmall_AndHealthyAfter()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var bouncer = await TestPgBouncer.StartAsync("transaction", "default_pool_size = 20");
        var direct = TestPostgres.For(maxPoolSize: 8, timeoutSeconds: 10, application: "lifeguard-pooler-tests");
        var app = new NpgsqlConnectionStringBuilder(direct) { Port = bouncer.Port, NoResetOnClose = true }.ConnectionString;
        await using var site = await GuardedTestApp.StartAsync(app, services: s => s.AddLifeguardPostgres(o =>
        {
            o.ReaderConnectionString = direct; // Lifeguard:Diagnosis:Postgres:ConnectionString: the server itself
            o.PoolerConnectionString = bouncer.AdminConnectionString;
        }).AddPooler());
        await using var console = await PgBouncerConsole.OpenAsync(bouncer.AdminConnectionString, ct);
        await using var load = new Load(site, 4);

        // Through a pooler with room: healthy, and the pooler is read.
        var d = await WaitForAsync(site, d => d.GetProperty("cause").GetString() == "healthy"
            && d.GetProperty("signals") is { ValueKind: JsonValueKind.Object } signals && signals.TryGetProperty("pooler", out var pooler)
            && pooler.ValueKind == JsonValueKind.Object && pooler.GetProperty("reachable").GetBoolean(), "healthy with the pooler read");
        d.GetProperty("evidence").EnumerateArray().ShouldContain(e => e.GetString()!.StartsWith("pooler:", StringComparison.Ordinal));

        // The pooler's pool shrunk to 1 under load, and more load than the application's pool (8) holds: both queues fill.
        await console.QueryAsync("SET default_pool_size = 1", ct);
        await console.QueryAsync("RECONNECT", ct);
        load.Grow(12);
        d = await WaitForAsync(site, d => d.GetProperty("cause").GetString() == PoolerSaturated, PoolerSaturated);

        var evidence = d.GetProperty("evidence").EnumerateArray().Select(e => e.GetString()!).ToList();
        evidence.ShouldContain(e => e.Contains("waiting inside pgbouncer for a server connection (cl_waiting)", StringComparison.Ordinal));
        evidence.ShouldContain(e => e.Contains("of 1 server connection(s) of the pool active (sv_active; pool size 1", StringComparison.Ordinal));
        evidence.ShouldContain(e => e.StartsWith("server: ", StringComparison.Ordinal) && e.Contains("free", StringComparison.Ordinal) && e.Contains("headroom", StringComparison.Ordinal));
        d.GetProperty("remedy").GetString()!.ShouldContain("Raise the pooler's pool for lifeguard/lifeguard from 1 to ");
        d.GetProperty("avoid").GetString()!.ShouldContain("Do not grow the application's pool");
        d.GetProperty("consequences").EnumerateArray().Select(c => c.GetString()).ShouldNotContain("healthy");

        // While both queues stay full, the application's pool is never the one named.
        for (var i = 0; i < 5; i++)
        {
            await Task.Delay(1000, ct);
            (await DiagnosisAsync(site)).GetProperty("cause").GetString().ShouldBe(PoolerSaturated);
        }
        var metrics = await site.Management.GetStringAsync("/metrics", ct);
        metrics.ShouldMatch("pgbouncer_pools_client_waiting_connections\\{[^}]*database=\"lifeguard\"[^}]*\\} [1-9]");
        metrics.ShouldMatch("pgbouncer_databases_pool_size\\{[^}]*\\} 1");
        var state = await site.StateAsync();
        state.GetProperty("pooler").GetProperty("pool_size").GetInt32().ShouldBe(1);

        // The pooler's pool given back and the load back within the application's pool: healthy again.
        await console.QueryAsync("SET default_pool_size = 20", ct);
        load.Shrink(4);
        await WaitForAsync(site, d => d.GetProperty("cause").GetString() == "healthy", "healthy again");
    }

    [Fact]
    public async Task Diagnosis_ReportJobHoldsThePoolersServerConnections_NamesPoolerSaturatedWithTheHolder_NotDatabaseUnavailable()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var bouncer = await TestPgBouncer.StartAsync("transaction", "default_pool_size = 2");
        var direct = TestPostgres.For(maxPoolSize: 4, timeoutSeconds: 10, application: "lifeguard-pooler-tests");
        var app = new NpgsqlConnectionStringBuilder(direct) { Port = bouncer.Port, NoResetOnClose = true }.ConnectionString;
        // No direct address: the server reader goes through the pooler too, as in the incident (it queues with everyone).
        await using var site = await GuardedTestApp.StartAsync(app, services: s =>
        {
            s.Configure<Lifeguard.Diagnosis.DiagnosisOptions>(o => o.PoolerHolderSeconds = 2);
            s.AddLifeguardPostgres(o => o.PoolerConnectionString = bouncer.AdminConnectionString).AddPooler();
        });
        await using var load = new Load(site, 3);
        await WaitForAsync(site, d => d.GetProperty("cause").GetString() == "healthy", "healthy first");

        // A report job takes both of the pooler's server connections with a long statement.
        var report = new NpgsqlConnectionStringBuilder(app) { ApplicationName = "report-job", Pooling = false, CommandTimeout = 120 }.ConnectionString;
        var started = DateTimeOffset.UtcNow;
        var holders = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            try
            {
                await using var c = new NpgsqlConnection(report);
                await c.OpenAsync(ct);
                await using var cmd = new NpgsqlCommand("SELECT pg_sleep(60)", c);
                await cmd.ExecuteNonQueryAsync(ct);
            }
            catch (Exception e) when (e is NpgsqlException or OperationCanceledException)
            {
                // ended by the test (pg_terminate_backend)
            }
        }, ct)).ToList();
        try
        {
            var d = await WaitForAsync(site, d => d.GetProperty("cause").GetString() == PoolerSaturated
                && d.GetProperty("summary").GetString()!.Contains("held by a long transaction", StringComparison.Ordinal), "pooler_saturated naming the holder");

            d.GetProperty("evidence").EnumerateArray().ShouldContain(e => e.GetString()!.StartsWith("holder: server pid ", StringComparison.Ordinal) && e.GetString()!.Contains("'report-job'", StringComparison.Ordinal));
            d.GetProperty("evidence").EnumerateArray().ShouldContain(e => e.GetString()!.Contains("read through the pooler", StringComparison.Ordinal));
            d.GetProperty("remedy").GetString()!.ShouldContain("pg_terminate_backend(");
            d.GetProperty("avoid").GetString()!.ShouldContain("Do not grow the application's pool");
            var history = await site.Management.GetFromJsonAsync<JsonElement>("/lifeguard/diagnosis/history", ct);
            history.EnumerateArray()
                .Where(h => DateTimeOffset.Parse(h.GetProperty("at").GetString()!, System.Globalization.CultureInfo.InvariantCulture) >= started)
                .Select(h => h.GetProperty("cause").GetString()).ShouldNotContain("database_unavailable");
        }
        finally
        {
            // The holder ended on the server, as the remedy says.
            await using var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(direct) { Pooling = false }.ConnectionString);
            await admin.OpenAsync(ct);
            await using var kill = new NpgsqlCommand("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(60)'", admin);
            await kill.ExecuteScalarAsync(ct);
            await Task.WhenAll(holders);
        }
        await WaitForAsync(site, d => d.GetProperty("cause").GetString() == "healthy", "healthy once the holder is gone");
    }

    private static async Task<JsonElement> DiagnosisAsync(GuardedTestApp site) =>
        await site.Management.GetFromJsonAsync<JsonElement>("/lifeguard/diagnosis", TestContext.Current.CancellationToken);

    // Up to 30 s: the bound for naming the pooler (the rules need a few sustained seconds; the reader through
    // the pooler takes its command timeout per sample).
    private static async Task<JsonElement> WaitForAsync(GuardedTestApp site, Func<JsonElement, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        JsonElement last = default;
        while (DateTime.UtcNow < deadline)
        {
            last = await DiagnosisAsync(site);
            if (condition(last)) return last;
            await Task.Delay(250, TestContext.Current.CancellationToken);
        }
        throw new TimeoutException($"Never {what} within 30 s; last diagnosis: {last}");
    }

    /// <summary>Loops of /sleep/20 (a 20 ms statement per request), as many as asked, changeable while running.</summary>
    private sealed class Load : IAsyncDisposable
    {
        private readonly GuardedTestApp _site;
        private readonly List<(Task Loop, CancellationTokenSource Stop)> _loops = [];

        public Load(GuardedTestApp site, int loops)
        {
            _site = site;
            Grow(loops);
        }

        public void Grow(int loops)
        {
            while (_loops.Count < loops)
            {
                var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
                _loops.Add((Task.Run(async () =>
                {
                    while (!stop.IsCancellationRequested)
                    {
                        try { using var _ = await _site.Client.GetAsync("/sleep/20", stop.Token); }
                        catch (Exception e) when (e is HttpRequestException or OperationCanceledException) { }
                    }
                }), stop));
            }
        }

        public void Shrink(int loops)
        {
            while (_loops.Count > loops)
            {
                _loops[^1].Stop.Cancel();
                _loops.RemoveAt(_loops.Count - 1);
            }
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var (_, stop) in _loops) await stop.CancelAsync();
            await Task.WhenAll(_loops.Select(l => l.Loop));
            foreach (var (_, stop) in _loops) stop.Dispose();
        }
    }
}
