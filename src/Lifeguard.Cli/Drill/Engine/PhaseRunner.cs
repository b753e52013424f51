using Lifeguard.Cli.Drill.Reporting;
using Lifeguard.Cli.Load;
using Lifeguard.Diagnosis;

namespace Lifeguard.Cli.Drill.Engine;

/// <summary>
/// The scenario engine's one step: runs a <see cref="PhasePlan"/> and measures it, per second (users, the guard's pool,
/// the database, the site's diagnosis: a <see cref="DrillSample"/> on the timeline) and as a whole (a <see cref="DrillPhase"/>).
/// </summary>
internal sealed class PhaseRunner(DrillOptions options, DrillTimeline timeline, DrillLoad load, ServerProbe server, DrillNarrator narrator)
{
    private Lifeguard.Diagnosis.DiagnosisReport? _latest;

    /// <summary>The site's diagnosis at the latest sampled second (of whichever phase ran last).</summary>
    public Lifeguard.Diagnosis.DiagnosisReport? LatestDiagnosis => Volatile.Read(ref _latest);

    /// <summary>Runs the phases in order; returns their measures in the same order.</summary>
    public async Task<IReadOnlyList<DrillPhase>> RunAllAsync(IEnumerable<PhasePlan> plans)
    {
        var phases = new List<DrillPhase>();
        foreach (var plan in plans) phases.Add(await RunAsync(plan).ConfigureAwait(false));
        return phases;
    }

    public async Task<DrillPhase> RunAsync(PhasePlan plan)
    {
        var runner = await load.RunnerAsync(plan.Site).ConfigureAwait(false);
        if (plan.BeforeLoad is not null) await plan.BeforeLoad().ConfigureAwait(false);

        using var probe = new SiteProbe(plan.Site.ManagementUrl);
        var first = await probe.ReadPoolAsync().ConfigureAwait(false);
        var recorder = new LatencyRecorder(options.Slo, options.SlowThreshold);
        var phaseStart = timeline.Now;
        narrator.PhaseStarted(phaseStart, plan.Kind, plan.Rate, plan.Duration, plan.PoolSize, plan.Admission);

        var loadTask = runner.RunAsync(null, plan.StopEarly, recorder, plan.Duration, plan.Rate);
        var sampler = SampleAsync(plan, probe, first, recorder, loadTask);
        var summary = await loadTask.ConfigureAwait(false);
        await sampler.ConfigureAwait(false);
        var last = await probe.ReadPoolAsync().ConfigureAwait(false);

        var wait = last.WaitTotal.Since(first.WaitTotal);
        var use = last.HoldTotal.Since(first.HoldTotal);
        return DrillPhase.FromLoad(plan.Kind.WireName(), summary, recorder.ShareOverSlow(), phaseStart, timeline.Now) with
        {
            MaxPoolSize = plan.PoolSize,
            AdmissionBudgetMs = plan.Admission?.TotalMilliseconds,
            RateRps = plan.Rate,
            AdmissionRejections = last.Rejections - first.Rejections,
            PoolWaitP99Ms = Ms(wait.Quantile(0.99)),
            HoldMeanMs = Ms(use.Mean),
            HoldP99Ms = Ms(use.Quantile(0.99)),
            LeasesPerRequest = summary.Requests == 0 ? 0 : Math.Round((double)(use.Count + (last.Timeouts - first.Timeouts)) / summary.Requests, 2),
        };
    }

    private async Task SampleAsync(PhasePlan plan, SiteProbe probe, PoolSnapshot first, LatencyRecorder recorder, Task loadDone)
    {
        var phase = plan.Kind.WireName();
        var previous = first;
        var second = 0;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        while (!loadDone.IsCompleted && await timer.WaitForNextTickAsync().ConfigureAwait(false))
        {
            PoolSnapshot now;
            try
            {
                now = await probe.ReadPoolAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                continue; // a starved site may miss a scrape; the next one covers the interval
            }

            var (active, backends, cpu) = await server.ReadAsync().ConfigureAwait(false);
            var diagnosis = await probe.ReadDiagnosisAsync().ConfigureAwait(false);
            Volatile.Write(ref _latest, diagnosis);
            var (requests, errors, p50, p99) = recorder.Second(second);
            var wait = now.WaitTotal.Since(previous.WaitTotal);
            var use = now.HoldTotal.Since(previous.HoldTotal);
            var timeouts = now.Timeouts - previous.Timeouts;
            var sample = new DrillSample
            {
                T = Math.Round(timeline.Now, 1),
                Phase = phase,
                Requests = requests,
                Errors = errors,
                P50Ms = p50,
                P99Ms = p99,
                PoolUsed = now.InUse,
                PoolMax = now.Max,
                PoolPending = now.Waiters,
                WaitP99Ms = Ms(wait.Quantile(0.99)),
                HoldP99Ms = Ms(use.Quantile(0.99)),
                HoldMeanMs = Ms(use.Mean),
                LeaseRequestRate = wait.Count + timeouts,
                Timeouts = timeouts,
                Leaks = now.Leaks - previous.Leaks,
                DbActive = active,
                DbBackends = backends,
                DbCpuCores = double.IsNaN(cpu) ? 0 : Math.Round(cpu, 2),
                Cause = diagnosis is null ? null : DiagnosisCauses.NameOf(diagnosis.Cause),
            };
            timeline.Add(sample);
            plan.Watch?.Invoke(sample, diagnosis);
            if (second % 5 == 4 || plan.Kind.NarratedEverySecond()) narrator.Second(sample, now, cpu);
            previous = now;
            second++;
        }
    }

    // An interval without observations reads as 0 ms (nothing waited), which keeps the JSON plain numbers.
    private static double Ms(double seconds) => double.IsNaN(seconds) ? 0 : Math.Round(seconds * 1000, 3);
}
