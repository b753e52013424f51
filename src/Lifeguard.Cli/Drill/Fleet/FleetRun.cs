using Lifeguard.Cli.Drill.Engine;
using Lifeguard.Cli.Drill.Reporting;
using Lifeguard.Cli.Load;
using Lifeguard.Diagnosis;
using static Lifeguard.Cli.Drill.Reporting.DrillNarrator;

namespace Lifeguard.Cli.Drill.Fleet;

/// <summary>
/// One run of the fleet drill: the instances started (with or without the governor), registered, driven and sampled
/// each second (users, every instance's pool and live diagnosis, the server's sessions and the registry), then stopped.
/// </summary>
internal sealed class FleetRun(DrillEnvironment env, FleetCluster cluster, FleetSampler sampler, DrillOptions options, DrillNarrator say, int users)
{
    // the registry's default heartbeat (Lifeguard:Fleet:HeartbeatInterval): a claim follows the budget within one
    private static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(2);

    public async Task<FleetRunResult> RunAsync(bool governor, TimeSpan surge, bool stopAfterNamed, CancellationToken ct)
    {
        var names = FleetInstances.Names(options.FleetInstances);
        var cs = env.SiteConnectionString(options.FleetPoolSize, options.MisconfiguredTimeoutSeconds);
        var label = governor ? "with the governor" : "without the governor";
        say.Say(F($"starting {names.Count} website instances {label} (Maximum Pool Size={options.FleetPoolSize} each)"));
        var sites = await FleetInstances.StartAsync(env, cs, names, governor, ct).ConfigureAwait(false);
        try
        {
            await FleetInstances.WaitForRegistryAsync(sampler, names, governor, ct).ConfigureAwait(false);
            var probes = sites.Select(s => new SiteProbe(s.ManagementUrl)).ToList();
            try
            {
                DrillPhase? normal = null;
                if (!governor)
                {
                    using var light = new LoadRunner(new LoadOptions
                    {
                        Urls = [.. sites.Select(s => s.Url)], Users = 2 * sites.Count, Rate = options.NormalRate * sites.Count,
                        Duration = options.NormalPhase, Slo = options.Slo, RequestTimeout = TimeSpan.FromSeconds(30),
                    });
                    await light.LoginAsync(null, ct).ConfigureAwait(false);
                    normal = (await MeasureAsync(DrillPhaseKind.Normal, light, options.NormalPhase, names, probes, sites, null, governor, ct).ConfigureAwait(false)).Surge;
                    say.FaultNormal(normal);
                }

                using var crowd = new LoadRunner(new LoadOptions
                {
                    Urls = [.. sites.Select(s => s.Url)], Users = users * sites.Count, ThinkTime = TimeSpan.Zero,
                    Duration = surge, Slo = options.Slo, RequestTimeout = TimeSpan.FromSeconds(30),
                });
                await crowd.LoginAsync(null, ct).ConfigureAwait(false);
                say.Say(F($"surge: {users} users per instance, no think time, for at most {surge.TotalSeconds:0} s"));
                var watch = stopAfterNamed ? new SurgeWatch(names.Count, options.FaultAfterDiagnosis) : null;
                var measured = await MeasureAsync(governor ? DrillPhaseKind.Mitigated : DrillPhaseKind.Fault, crowd, surge, names, probes, sites, watch, governor, ct).ConfigureAwait(false);
                return measured with { Normal = normal };
            }
            finally
            {
                foreach (var p in probes) p.Dispose();
            }
        }
        finally
        {
            // Killed, as a crash or a scale-down without a graceful stop: the drill forgets their rows itself.
            foreach (var site in sites) await site.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<FleetRunResult> MeasureAsync(DrillPhaseKind kind, LoadRunner runner, TimeSpan duration, IReadOnlyList<string> names,
        IReadOnlyList<SiteProbe> probes, IReadOnlyList<SiteProcess> sites, SurgeWatch? watch, bool governor, CancellationToken ct)
    {
        var phase = kind.WireName();
        sampler.Reset();
        var logStart = cluster.LogLength;
        var firstPools = await ReadPoolsAsync(probes).ConfigureAwait(false);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var recorder = new LatencyRecorder(options.Slo, options.SlowThreshold);
        var start = env.Timeline.Now;
        say.PhaseStarted(start, kind, 0, duration, options.FleetPoolSize, null);
        var load = runner.RunAsync(null, stop.Token, recorder, duration);
        var track = names.Select(n => new InstanceTrack(n)).ToList();
        var readings = new List<FleetReading>();
        double? detected = null;
        NamedCause? named = null;
        var second = 0;
        using (var timer = new PeriodicTimer(TimeSpan.FromSeconds(1)))
        {
            while (!load.IsCompleted && await timer.WaitForNextTickAsync(CancellationToken.None).ConfigureAwait(false))
            {
                FleetReading reading;
                try
                {
                    reading = await sampler.ReadAsync(ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
                {
                    continue; // one missed second; the next covers it
                }

                readings.Add(reading);
                var diagnoses = await Task.WhenAll(probes.Select(p => p.ReadDiagnosisAsync())).ConfigureAwait(false);
                var pools = await ReadPoolsAsync(probes).ConfigureAwait(false);
                var (requests, errors, p50, p99) = recorder.Second(second++);
                var t = Math.Round(env.Timeline.Now, 1);
                for (var i = 0; i < track.Count; i++)
                {
                    var held = reading.Held.GetValueOrDefault(names[i]);
                    if (track[i].Observe(diagnoses[i], held, reading.Caps.GetValueOrDefault(names[i]), t - start) is { } fleetNaming)
                        named ??= new NamedCause(fleetNaming, Math.Round(t - start, 1), sites[i].ManagementUrl);
                }

                if (detected is null && (errors > 0 || p99 > options.Slo.TotalMilliseconds)) detected = Math.Round(t - start, 1);
                var holder = reading.Held.OrderByDescending(h => h.Value).Select(h => names.ToList().IndexOf(h.Key)).FirstOrDefault(i => i >= 0, 0);
                var sample = new DrillSample
                {
                    T = t,
                    Phase = phase,
                    Requests = requests,
                    Errors = errors,
                    P50Ms = p50,
                    P99Ms = p99,
                    PoolUsed = reading.FleetSessions,
                    PoolMax = reading.Budget,
                    PoolPending = pools.Sum(p => p?.Waiters ?? 0),
                    DbBackends = reading.Backends,
                    Cause = diagnoses[holder] is { } d ? DiagnosisCauses.NameOf(d.Cause) : null,
                };
                env.Timeline.Add(sample);
                if (second % 5 == 0 || kind == DrillPhaseKind.Fault)
                {
                    say.Say(F($"[{t,5:0}s] {phase}: {requests} req/s, {errors} errors, p99 {p99:0} ms; server: fleet sessions {reading.FleetSessions} of {reading.Budget} slots left for them; ")
                        + string.Join(", ", track.Select(x => F($"{x.Name} {reading.Held.GetValueOrDefault(x.Name)}{(reading.Caps.GetValueOrDefault(x.Name) is { } cap && governor ? F($"/cap {cap}") : "")} {x.Latest}"))));
                }

                // once: a later call would restart the countdown
                if (watch is not null && !watch.Stopping && watch.AllNamed(track)) watch.Stop(stop);
            }
        }

        var summary = await load.ConfigureAwait(false);
        var lastPools = await ReadPoolsAsync(probes).ConfigureAwait(false);
        var end = env.Timeline.Now;
        var instances = track.Select((x, i) =>
        {
            var url = summary.PerUrl.FirstOrDefault(u => u.Url.StartsWith(sites[i].Url.ToString().TrimEnd('/'), StringComparison.Ordinal));
            return x.Result(url, sampler.Refused.GetValueOrDefault(names[i]));
        }).ToList();
        var waitP99 = Enumerable.Range(0, probes.Count).Select(i => firstPools[i] is { } a && lastPools[i] is { } b ? b.WaitTotal.Since(a.WaitTotal).Quantile(0.99) : double.NaN)
            .Where(x => !double.IsNaN(x)).DefaultIfEmpty(0).Max();
        var phaseResult = DrillPhase.FromLoad(phase, summary, recorder.ShareOverSlow(), start, end) with
        {
            MaxPoolSize = options.FleetPoolSize,
            RateRps = Math.Round(summary.ThroughputRps, 1),
            PoolWaitP99Ms = Math.Round(waitP99 * 1000, 3),
        };
        var overBudget = readings.Count(r => r.ClaimSum is { } sum && sum > readings.Where(p => p.At <= r.At && p.At >= r.At - HeartbeatInterval).Max(p => p.Budget));
        var run = new DrillFleetRun(
            governor ? "with the governor" : "without the governor", governor, Math.Round(end - start, 1), cluster.RefusedSince(logStart),
            readings.Select(r => r.FleetSessions).DefaultIfEmpty(0).Max(), readings.Select(r => r.Budget).DefaultIfEmpty(0).Min(),
            governor ? readings.Select(r => r.ClaimSum ?? 0).DefaultIfEmpty(0).Max() : null, governor ? overBudget : 0, instances);
        return new FleetRunResult(phaseResult, run, named, detected);
    }

    private static async Task<Lifeguard.PoolSnapshot?[]> ReadPoolsAsync(IReadOnlyList<SiteProbe> probes) =>
        await Task.WhenAll(probes.Select(async p =>
        {
            try
            {
                return (Lifeguard.PoolSnapshot?)await p.ReadPoolAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return null; // a starved site may miss a read
            }
        })).ConfigureAwait(false);

    /// <summary>Stops the surge a few seconds after every instance named connection_limit with the fleet's evidence.</summary>
    private sealed class SurgeWatch(int instances, TimeSpan after)
    {
        public bool Stopping { get; private set; }

        public void Stop(CancellationTokenSource surge)
        {
            Stopping = true;
            surge.CancelAfter(after);
        }

        public bool AllNamed(IReadOnlyList<InstanceTrack> track) => track.Count(t => t.FleetNamedAt is not null) == instances;
    }
}

/// <summary>What one run measured: the normal phase (first run only), the surge, the fleet's figures and the first
/// diagnosis that named the fleet.</summary>
internal sealed record FleetRunResult(DrillPhase Surge, DrillFleetRun Run, NamedCause? Named, double? DetectedAfterS)
{
    public DrillPhase? Normal { get; init; }
}

/// <summary>The first live diagnosis that named connection_limit with the fleet's evidence, on which instance, when.</summary>
internal sealed record NamedCause(DiagnosisReport Report, double AfterS, Uri ManagementUrl);
