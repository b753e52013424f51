using System.Diagnostics;
using System.Globalization;
using Lifeguard.Cli.Drill;
using Lifeguard.Cli.Load;
using Lifeguard.Cli.Tests.Drill;
using Npgsql;

namespace Lifeguard.Cli.Tests.Fleet;

/// <summary>
/// The fleet governor with real website processes on a real, small PostgreSQL (<see cref="SmallCluster"/>: max_connections
/// 20, 17 usable slots),
/// their pools (8 each) together far over the slots left for them, all under load. The server's sessions and the
/// registry's claims are sampled every 200 ms: the claims never add up to more than the slots the other clients leave,
/// and no connection is refused (PostgreSQL logs every 53300). Then one instance is killed (its share goes to the others
/// once its heartbeat expires) and another starts (it gets its share within a few heartbeats). Run alone with the drills
/// (Category=Drill): its timings must not be those of a machine busy with other tests.
/// </summary>
[Trait("Category", "Drill")]
[Collection(DrillCollection.Name)]
public sealed class GovernorFleetTests(SmallCluster small) : IClassFixture<SmallCluster>
{
    private const int PoolMax = 8;
    private const int UsersPerSite = 5;
    private const string Service = "Lifeguard.Website";

    [Fact]
    public async Task Governor_FleetOversubscribingTheServerThroughACrashAndAJoin_StaysWithinTheBudgetAndNothingIsRefused()
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        bound.CancelAfter(TimeSpan.FromSeconds(150));
        var ct = bound.Token;
        var output = TestContext.Current.TestOutputHelper;
        var checkout = Checkout.Find();
        await using var db = await SeededSiteDatabase.CreateAsync(checkout, "governor_", ct, small.ConnectionString, scale: 0.02);
        var logStart = new FileInfo(small.ServerLog).Length;
        var sites = new Dictionary<string, SiteProcess>();
        var loads = new List<(CancellationTokenSource Stop, Task Run, LatencyRecorder Recorder)>();
        await using var sampler = new FleetSampler(db.ConnectionString);
        try
        {
            // Three instances under load, joining one after the other as a rolling deploy or an autoscaler adds them: each
            // newcomer's own two connections (registry, server reader) come out of the reserve the others left.
            for (var i = 0; i < 3; i++)
            {
                var name = $"gov-{i + 1}";
                sites[name] = await StartSiteAsync(checkout, db, name, ct);
                loads.Add(StartLoad(sites[name], firstUser: 1 + i * UsersPerSite, ct));
                // the first instance creates the registry; the sampler reads it from then on
                if (i == 0)
                {
                    await RegistryCreatedAsync(db.ConnectionString, ct);
                    sampler.Start();
                }
                await sampler.WaitForAsync(s => s.Claims.GetValueOrDefault(name) >= 1, TimeSpan.FromSeconds(30), name + " claiming", ct);
            }
            await sampler.WaitForAsync(s => s.Claims.Count(c => c.Value >= 1) == 3 && s.FleetSessions > 0, TimeSpan.FromSeconds(30), "3 instances claiming", ct);
            await Task.Delay(TimeSpan.FromSeconds(4), ct);
            var before = sampler.Latest!;

            // A crash: killed, its row stays until its heartbeat expires (10 s), then the others take its share.
            var crashed = Stopwatch.StartNew();
            loads[0].Stop.Cancel();
            await sites["gov-1"].DisposeAsync();
            sites.Remove("gov-1");
            var beforeSum = before.Claims.Values.Sum();
            var afterCrash = await sampler.WaitForAsync(
                s => !s.Claims.ContainsKey("gov-1") && s.Claims.Where(c => c.Key != "gov-1").Sum(c => c.Value) >= beforeSum,
                TimeSpan.FromSeconds(30), "the survivors taking the crashed instance's share", ct);
            var crashRebalance = crashed.Elapsed;

            // A join: a newcomer starts at nothing and gets its share within a few heartbeats.
            sites["gov-4"] = await StartSiteAsync(checkout, db, "gov-4", ct);
            var joined = Stopwatch.StartNew();
            output?.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} crashed at -{crashed.Elapsed.TotalSeconds:0.0} s, newcomer up now");
            var newcomerLoad = StartLoad(sites["gov-4"], firstUser: 1 + 3 * UsersPerSite, ct);
            loads.Add(newcomerLoad);
            var fair = await sampler.WaitForAsync(s => s.Claims.GetValueOrDefault("gov-4") >= 1 && s.Caps.GetValueOrDefault("gov-4") == s.Claims["gov-4"],
                TimeSpan.FromSeconds(20), "the newcomer holding a share", ct);
            var joinRebalance = joined.Elapsed;
            await sampler.WaitForAsync(_ => newcomerLoad.Recorder.Snapshot().Requests > 0, TimeSpan.FromSeconds(15), "the newcomer serving dashboards", ct);
            // What an operator sees on a governed instance: the governor in /lifeguard/fleet and its gauges in /metrics.
            using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) })
            {
                var fleetJson = await http.GetStringAsync(new Uri(sites["gov-2"].ManagementUrl, "/lifeguard/fleet"), ct);
                using var doc = System.Text.Json.JsonDocument.Parse(fleetJson);
                var governor = doc.RootElement.GetProperty("fleet").GetProperty("governor");
                governor.GetProperty("cap").GetInt32().ShouldBeGreaterThanOrEqualTo(1, fleetJson);
                governor.GetProperty("reason").GetString().ShouldNotBeNullOrWhiteSpace(fleetJson);
                var metrics = await http.GetStringAsync(new Uri(sites["gov-2"].ManagementUrl, "/metrics"), ct);
                metrics.ShouldContain("lifeguard_fleet_share{");
                metrics.ShouldContain("lifeguard_fleet_cap{");
            }
            await Task.Delay(TimeSpan.FromSeconds(2), ct);
            await sampler.StopAsync();

            // The join as the registry saw it: from the newcomer's first row (claim 0) to its first share enforced.
            var all = sampler.Samples;
            var inRegistry = all.First(s => s.Claims.ContainsKey("gov-4")).At;
            var firstShare = all.First(s => s.Claims.GetValueOrDefault("gov-4") >= 1 && s.Caps.GetValueOrDefault("gov-4") == s.Claims["gov-4"]).At;
            output?.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"join: first row at {inRegistry:HH:mm:ss.fff}, first share {(firstShare - inRegistry).TotalSeconds:0.0} s later"));
            output?.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"samples {sampler.Samples.Count}; crash rebalance {crashRebalance.TotalSeconds:0.0} s (claims {Describe(before)} -> {Describe(afterCrash)}); join rebalance {joinRebalance.TotalSeconds:0.0} s (-> {Describe(fair)}); most fleet sessions {sampler.Samples.Max(s => s.FleetSessions)}, least budget {sampler.Samples.Min(s => s.Budget)}"));
            // The registry's changes, for the reader of a failure (and of the rebalance figures).
            string? last = null;
            foreach (var s in sampler.Samples)
            {
                var now = $"claims {Describe(s)} caps {string.Join(" ", s.Caps.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value}"))}";
                if (now != last) output?.WriteLine($"{s.At:HH:mm:ss.fff} budget {s.Budget} sessions {s.FleetSessions} {now}");
                last = now;
            }
            foreach (var (_, run, recorder) in loads)
            {
                var (requests, errors, p50, p99) = recorder.Snapshot();
                output?.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"load: {requests} requests, {errors} errors, p50 {p50:0} ms, p99 {p99:0} ms{(run.Exception is { } e ? " (" + e.GetBaseException().Message + ")" : "")}"));
            }

            sampler.Samples.Count.ShouldBeGreaterThan(50);
            // The claims stay within the slots the other clients leave at every sample, through the joins, the crash
            // and the newcomer. (Several instances starting in the same second exceed the reserve for up to a heartbeat:
            // docs/fleet.md, Limits.)
            var over = sampler.Samples.Where(s => s.Claims.Values.Sum() > s.Budget).ToList();
            over.ShouldBeEmpty($"claims over the budget at {over.Count} sample(s), first: {over.FirstOrDefault()}");
            sampler.Samples.Sum(s => s.Refused).ShouldBe(0, "connections refused by the server, counted by the instances");
            var refused = ReadFrom(small.ServerLog, logStart).Split('\n')
                .Where(l => l.Contains("too many clients", StringComparison.Ordinal) || l.Contains("remaining connection slots", StringComparison.Ordinal)).ToList();
            refused.ShouldBeEmpty("PostgreSQL refused connections: " + string.Join(" | ", refused.Take(3)));
            // The fleet did use its slots: the server held more of its sessions than one instance's share.
            sampler.Samples.Max(s => s.FleetSessions).ShouldBeGreaterThan(PoolMax / 2);
        }
        finally
        {
            foreach (var (stop, _, _) in loads) await stop.CancelAsync();
            await Task.WhenAll(loads.Select(l => l.Run.ContinueWith(_ => { }, TaskScheduler.Default)));
            foreach (var site in sites.Values) await site.DisposeAsync();
        }
    }

    private static async Task RegistryCreatedAsync(string cs, CancellationToken ct)
    {
        await using var c = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(cs) { Pooling = false }.ConnectionString);
        await c.OpenAsync(ct);
        for (var deadline = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < deadline; await Task.Delay(200, ct))
        {
            await using var cmd = new NpgsqlCommand("SELECT to_regclass('lifeguard.fleet_instances') IS NOT NULL", c);
            if ((bool)(await cmd.ExecuteScalarAsync(ct))!) return;
        }
        throw new TimeoutException("the first instance did not create the fleet registry within 30 s");
    }

    private static string Describe(FleetSample s) => string.Join(" ", s.Claims.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value}"));

    private static Task<SiteProcess> StartSiteAsync(Checkout checkout, SeededSiteDatabase db, string instance, CancellationToken ct)
    {
        var pool = new NpgsqlConnectionStringBuilder(db.ConnectionString) { MaxPoolSize = PoolMax, MinPoolSize = 0, Timeout = 10 }.ConnectionString;
        var settings = new Dictionary<string, string>(SiteDatabase.SiteSettings())
        {
            ["Lifeguard__Instance"] = instance,
            ["Lifeguard__Fleet__Governor"] = "true",
        };
        return SiteProcess.StartAsync(checkout, pool, settings, ct);
    }

    private static (CancellationTokenSource Stop, Task Run, LatencyRecorder Recorder) StartLoad(SiteProcess site, int firstUser, CancellationToken ct)
    {
        var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var options = new LoadOptions { Urls = [site.Url], Users = UsersPerSite, FirstUser = firstUser, Duration = TimeSpan.FromMinutes(5), RequestTimeout = TimeSpan.FromSeconds(20) };
        var recorder = new LatencyRecorder(options.Slo);
        var run = Task.Run(async () =>
        {
            using var runner = new LoadRunner(options);
            await runner.RunAsync(null, stop.Token, recorder);
        }, CancellationToken.None);
        return (stop, run, recorder);
    }

    private static string ReadFrom(string path, long offset)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        f.Seek(Math.Min(offset, f.Length), SeekOrigin.Begin);
        using var r = new StreamReader(f);
        return r.ReadToEnd();
    }

    /// <summary>One reading of the server and the registry in one statement: the slots the other clients leave the
    /// fleet, the fleet's sessions, and every row's claim, cap and refused opens.</summary>
    private sealed record FleetSample(DateTimeOffset At, int Budget, int FleetSessions, int Refused, IReadOnlyDictionary<string, int> Claims,
        IReadOnlyDictionary<string, int> Caps)
    {
        public override string ToString() =>
            string.Create(CultureInfo.InvariantCulture, $"{At:HH:mm:ss.fff} budget {Budget}, fleet sessions {FleetSessions}, claims {Describe(this)}");
    }

    private sealed class FleetSampler(string connectionString) : IAsyncDisposable
    {
        private const string Sql = """
            SELECT (current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int
                     - count(*) FILTER (WHERE application_name NOT LIKE $1))::int,
                   (count(*) FILTER (WHERE application_name LIKE $1))::int,
                   (SELECT coalesce(sum(refused), 0)::int FROM lifeguard.fleet_instances),
                   (SELECT coalesce(json_object_agg(instance, claim), '{}') FROM lifeguard.fleet_instances WHERE claim IS NOT NULL)::text,
                   (SELECT coalesce(json_object_agg(instance, cap), '{}') FROM lifeguard.fleet_instances WHERE cap IS NOT NULL)::text,
                   now()
              FROM pg_stat_activity WHERE backend_type = 'client backend'
            """;

        private readonly List<FleetSample> _samples = [];
        private readonly CancellationTokenSource _stop = new();
        private Task? _loop;

        public IReadOnlyList<FleetSample> Samples
        {
            get { lock (_samples) return [.. _samples]; }
        }

        public FleetSample? Latest
        {
            get { lock (_samples) return _samples.Count == 0 ? null : _samples[^1]; }
        }

        public void Start() => _loop = Task.Run(() => LoopAsync(_stop.Token));

        public async Task<FleetSample> WaitForAsync(Func<FleetSample, bool> condition, TimeSpan within, string what, CancellationToken ct)
        {
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < within)
            {
                if (_loop is { IsFaulted: true }) await _loop;
                if (Latest is { } s && condition(s)) return s;
                await Task.Delay(100, ct);
            }
            throw new TimeoutException($"no sample showed {what} within {within.TotalSeconds} s; latest: {Latest}");
        }

        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            if (_loop is not null) await _loop;
        }

        private async Task LoopAsync(CancellationToken stop)
        {
            var cs = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, ApplicationName = "governor-test-sampler" }.ConnectionString;
            await using var c = new NpgsqlConnection(cs);
            await c.OpenAsync(stop);
            await using var cmd = new NpgsqlCommand(Sql, c);
            cmd.Parameters.Add(new NpgsqlParameter { Value = Service + "/%" });
            using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
            do
            {
                FleetSample sample;
                try
                {
                    await using var r = await cmd.ExecuteReaderAsync(stop);
                    await r.ReadAsync(stop);
                    sample = new FleetSample(r.GetFieldValue<DateTimeOffset>(5), r.GetInt32(0), r.GetInt32(1), r.GetInt32(2),
                        System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, int>>(r.GetString(3))!,
                        System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, int>>(r.GetString(4))!);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
                lock (_samples) _samples.Add(sample);
            }
            while (await WaitTickAsync(tick, stop));
        }

        private static async Task<bool> WaitTickAsync(PeriodicTimer tick, CancellationToken stop)
        {
            try
            {
                return await tick.WaitForNextTickAsync(stop);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            if (_loop is not null)
            {
                try
                {
                    await _loop;
                }
                catch (OperationCanceledException)
                {
                }
            }
            _stop.Dispose();
        }
    }
}
