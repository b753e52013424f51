using System.Globalization;
using Lifeguard.Cli.Drill.Engine;
using Lifeguard.Cli.Drill.Fleet;
using Lifeguard.Cli.Load;
using Lifeguard.Diagnosis;
using Lifeguard.Diagnosis.Accuracy;
using Lifeguard.Testing.Faults;

namespace Lifeguard.Cli.Drill.Corpus;

/// <summary>
/// A fleet scenario of the corpus: several website instances (the fleet drill's, <see cref="FleetInstances"/>) on the
/// fleet's own small server (<see cref="FleetBench"/>), registered in its registry, under the same phases as every
/// scenario: normal (open-loop traffic on every instance) → fault (a fleet fault: closed-loop users with no think time
/// on every instance, the fleet drill's surge, so the pools together want more slots than the server has; a control:
/// the same open-loop traffic, busier when its load says so) → after (normal traffic again). The trace is the first
/// instance's per-second diagnosis, with the signals it judged (the registry's reading among them: the fleet's evidence
/// is replayed from what the site saw).
/// </summary>
internal sealed class CorpusFleetRunner(Func<CancellationToken, Task<FleetBench>> bench, int seed, Action<string> say)
{
    public async Task<CorpusTrace> RunAsync(CorpusScenario scenario, CancellationToken ct)
    {
        var fleet = await bench(ct).ConfigureAwait(false);
        var env = fleet.Env;
        await fleet.Sampler.ClearRegistryAsync(ct).ConfigureAwait(false);
        var names = FleetInstances.Names(scenario.Instances);
        var surgeUsers = (int)Math.Round(env.Options.FleetUsersPerInstance * (scenario.Load == CorpusLoads.Surge ? scenario.LoadFactor : 1));
        var users = await fleet.UsersPerInstanceAsync(names.Count, Math.Max(2, surgeUsers), ct).ConfigureAwait(false);
        var busy = scenario.Load == CorpusLoads.Busy ? scenario.LoadFactor : 1;
        var rate = scenario.Rate * busy;
        // Pools that close a connection idle for 2 s (as the corpus's connection-limit fault has them): with Npgsql's 300 s,
        // the connections a start-up burst opened stay idle and fill the small server before any fault, and the normal
        // phase reads connection_limit already (the server is full); so the slots follow the traffic, and the normal
        // and after phases show the fleet within the server and the fault shows it over.
        var cs = new Npgsql.NpgsqlConnectionStringBuilder(env.SiteConnectionString(scenario.PoolSize, env.Options.MisconfiguredTimeoutSeconds))
        {
            ConnectionIdleLifetime = 2,
            ConnectionPruningInterval = 1,
        }.ConnectionString;
        say($"--- {scenario.Name}: {scenario.Description}");
        say(F($"the fleet: {names.Count} instances × Maximum Pool Size={scenario.PoolSize} = {names.Count * scenario.PoolSize} connections against {env.Budget} usable slots{(scenario.IsControl ? "" : F($"; {users} users per instance in the fault"))}"));

        var seconds = new List<CorpusTraceSecond>();
        var injected = new List<IFaultInjector>();
        var sites = await FleetInstances.StartAsync(env, cs, names, scenario.Governor, ct).ConfigureAwait(false);
        using var probe = new SiteProbe(sites[0].ManagementUrl);
        using var stopSampling = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Task? sampling = null;
        try
        {
            await FleetInstances.WaitForRegistryAsync(fleet.Sampler, names, scenario.Governor, ct).ConfigureAwait(false);
            var urls = sites.Select(s => s.Url).ToList();
            // Open loop for normal, after and a control's window; closed loop (no think time) for the fault, the fleet
            // drill's surge. Both log in before the first phase, so the phases follow each other without a gap.
            using var light = new LoadRunner(new LoadOptions
            {
                Urls = urls, Users = Math.Min(users, Math.Max(2, (int)Math.Ceiling(rate / 4))) * sites.Count, Rate = rate * sites.Count,
                Duration = TimeSpan.FromMinutes(5), Slo = env.Options.Slo, RequestTimeout = TimeSpan.FromSeconds(30),
            });
            using var crowd = scenario.IsControl ? null : new LoadRunner(new LoadOptions
            {
                Urls = urls, Users = users * sites.Count, ThinkTime = TimeSpan.Zero,
                Duration = TimeSpan.FromMinutes(5), Slo = env.Options.Slo, RequestTimeout = TimeSpan.FromSeconds(30),
            });
            await light.LoginAsync(null, ct).ConfigureAwait(false);
            if (crowd is not null) await crowd.LoginAsync(null, ct).ConfigureAwait(false);
            // Normal traffic for 3 s, not recorded: the new processes' first requests are cold (JIT, first connections).
            await light.RunAsync(null, ct, new LatencyRecorder(), TimeSpan.FromSeconds(3), rate * sites.Count).ConfigureAwait(false);

            var t0 = env.Timeline.Now;
            // null between phases: the seconds an injection takes (the report herring fills its table) are not any
            // phase's, as a single site's phase runner records none either.
            string? phase = CorpusPhases.Normal;
            sampling = SampleAsync(fleet, probe, names, () => Volatile.Read(ref phase), t0, seconds, stopSampling.Token);

            await RunPhaseAsync(light, rate * sites.Count, scenario.NormalS, ct).ConfigureAwait(false);

            var logStart = fleet.Cluster.LogLength;
            Volatile.Write(ref phase, null);
            foreach (var draw in new[] { scenario.Herring, scenario.Second }.OfType<CorpusFaultDraw>())
            {
                var fault = CorpusFaults.Create(draw, scenario, env, () => sites[0].Url);
                if (fault is null) continue;
                injected.Add(fault);
                await fault.InjectAsync(ct).ConfigureAwait(false);
                say($"injected: {fault.Description}");
            }
            Volatile.Write(ref phase, CorpusPhases.Fault);
            if (crowd is not null)
            {
                say(F($"injected: a surge of {users} users per instance with no think time on {sites.Count} instances"));
                await RunPhaseAsync(crowd, null, scenario.FaultS, ct).ConfigureAwait(false);
            }
            else
            {
                var windowRate = (scenario.Load is CorpusLoads.Surge or CorpusLoads.Shift ? scenario.LoadFactor : 1) * rate * sites.Count;
                await RunPhaseAsync(light, windowRate, scenario.FaultS, ct).ConfigureAwait(false);
            }
            say(F($"the server refused {fleet.Cluster.RefusedSince(logStart)} connection(s) in the fault phase (its log)"));

            Volatile.Write(ref phase, null);
            await RemoveAsync(injected).ConfigureAwait(false);
            Volatile.Write(ref phase, CorpusPhases.After);
            await RunPhaseAsync(light, rate * sites.Count, scenario.AfterS, ct).ConfigureAwait(false);
        }
        finally
        {
            await stopSampling.CancelAsync().ConfigureAwait(false);
            if (sampling is not null) await sampling.ConfigureAwait(false);
            await RemoveAsync(injected).ConfigureAwait(false);
            // Killed, as the fleet drill stops them; the next scenario forgets their registry rows.
            foreach (var site in sites) await site.DisposeAsync().ConfigureAwait(false);
        }

        var header = scenario.TraceHeader(seed);
        List<CorpusTraceSecond> ordered;
        lock (seconds) ordered = [.. seconds];
        return new CorpusTrace(header, ordered);
    }

    private static async Task RunPhaseAsync(LoadRunner runner, double? rate, double seconds, CancellationToken ct) =>
        await runner.RunAsync(null, ct, new LatencyRecorder(), TimeSpan.FromSeconds(Math.Max(1, seconds)), rate).ConfigureAwait(false);

    // Every second: the first instance's diagnosis (with its signals) into the trace, and the fleet as the server sees it
    // into the narration.
    private async Task SampleAsync(FleetBench fleet, SiteProbe probe, IReadOnlyList<string> names, Func<string?> phase, double t0, List<CorpusTraceSecond> seconds, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                var now = fleet.Env.Timeline.Now;
                if (phase() is not { } current) continue;
                DiagnosisReport? d;
                try
                {
                    d = await probe.ReadDiagnosisAsync().ConfigureAwait(false);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    d = null; // a starved site may miss a read
                }
                lock (seconds)
                {
                    seconds.Add(new CorpusTraceSecond
                    {
                        T = Math.Round(now - t0, 1),
                        Phase = current,
                        LiveCause = d is null ? null : DiagnosisCauses.NameOf(d.Cause),
                        LiveConfidence = d?.Confidence ?? 0,
                        Signals = d?.Signals,
                    });
                }
                try
                {
                    var r = await fleet.Sampler.ReadAsync(stop).ConfigureAwait(false);
                    say(F($"[{now - t0,5:0}s] {current}: fleet-1 names {(d is null ? "?" : DiagnosisCauses.NameOf(d.Cause))} ({d?.Confidence ?? 0:0.00}); fleet sessions {r.FleetSessions} of {r.Budget} slots left for them: ")
                        + string.Join(", ", names.Select(n => F($"{n} {r.Held.GetValueOrDefault(n)}{(r.Caps.GetValueOrDefault(n) is { } cap ? F($"/cap {cap}") : "")}"))));
                }
                catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
                {
                    // the narration only: the trace has the second
                }
            }
        }
        catch (OperationCanceledException)
        {
            // the scenario ended
        }
    }

    private static async Task RemoveAsync(List<IFaultInjector> injected)
    {
        foreach (var f in injected) await f.DisposeAsync().ConfigureAwait(false);
        injected.Clear();
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
