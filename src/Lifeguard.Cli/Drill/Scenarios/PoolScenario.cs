using Lifeguard.Cli.Drill.Detection;
using Lifeguard.Cli.Drill.Engine;
using Lifeguard.Cli.Drill.Reporting;
using Lifeguard.Sizing;

namespace Lifeguard.Cli.Drill.Scenarios;

/// <summary>
/// The February 10 incident replayed: the website runs with a pool far too small; normal traffic is fine, peak traffic
/// is not. The detector confirms the incident from what users see, with the cause the site's own diagnoser names; the
/// sizing advisor sizes the pool from what the guard measured; the site restarted with that size under the same peak
/// verifies recovery. Phases: normal, incident, [incident+admission with --admission], fixed.
/// </summary>
internal sealed class PoolScenario(DrillEnvironment env, IncidentLink? incidents)
{
    private DrillOptions Options => env.Options;
    private DrillNarrator Say => env.Narrator;

    public async Task<DrillReport> RunAsync(DateTimeOffset startedAt, CancellationToken ct)
    {
        var bad = Options.MisconfiguredPoolSize;
        var badSite = env.SiteConnectionString(bad, Options.MisconfiguredTimeoutSeconds);
        Say.StartingSite(bad, "the misconfiguration");
        DrillPhase normal, incident;
        double peakRate;
        var detector = new IncidentDetector(Options.Slo);
        RootCause? cause = null;
        var incidentStart = 0.0;
        var incidentLoad = Options.IncidentMax;
        await using (var site = await SiteProcess.StartAsync(env.Database.Checkout, badSite, SiteDatabase.SiteSettings(), ct).ConfigureAwait(false))
        {
            normal = await env.Phases.RunAsync(new PhasePlan(DrillPhaseKind.Normal, site, bad, Options.NormalRate, Options.NormalPhase) { StopEarly = ct }).ConfigureAwait(false);

            // Peak traffic: more than the misconfigured pool can serve, far below what this machine serves with a right pool.
            var capacity = DrillTraffic.PoolCapacity(bad, normal.LeasesPerRequest, normal.HoldMeanMs, Options.NormalRate * 4);
            peakRate = DrillTraffic.PeakRate(capacity, Options.NormalRate, Options.PeakFactor);
            Say.PoolNormal(normal, capacity);
            Say.Peak(peakRate);

            incidentStart = env.Timeline.Now;
            using var stopIncident = new CancellationTokenSource();
            void Watch(DrillSample s, Lifeguard.Diagnosis.DiagnosisReport? latest)
            {
                if (!detector.Observe(s, latest, incidentStart).HasFlag(DetectorEvents.Confirmed)) return;
                // The evidence as it reads now, when the diagnosis still names the cause that stood.
                var d = latest is not null && latest.Cause == detector.Named!.Cause ? latest : detector.Named!;
                cause = RootCause.From(d);
                Say.Confirmed(detector.ConfirmedAt!.Value, cause);
                incidents?.Detected(Options.Fault, cause, detector.ConfirmedAt!.Value, site.ManagementUrl);
                stopIncident.CancelAfter(Options.IncidentAfterDiagnosis);
            }

            double? loadStoppedAt = null;
            using (stopIncident.Token.Register(() => loadStoppedAt ??= env.Timeline.Now))
            {
                incident = await env.Phases.RunAsync(new PhasePlan(DrillPhaseKind.Incident, site, bad, peakRate, Options.IncidentMax) { Watch = Watch, StopEarly = stopIncident.Token }).ConfigureAwait(false);
            }

            // The replay gets the traffic the incident got: the same rate for as long as the incident's load ran.
            incidentLoad = TimeSpan.FromSeconds(Math.Min(Options.IncidentMax.TotalSeconds, (loadStoppedAt ?? double.MaxValue) - incident.StartS));
        }

        var (replay, replayS) = await ReplayWithAdmissionAsync(badSite, peakRate, incidentLoad, incident, ct).ConfigureAwait(false);

        // The fix: the advisor's size from what the guard measured, not a guess.
        var (sizingInput, advice) = Advise(normal);
        var recommended = advice.MaximumPoolSize;
        Say.RestartingWithPool(recommended);
        DrillPhase fixedPhase;
        await using (var site = await SiteProcess.StartAsync(env.Database.Checkout, env.SiteConnectionString(recommended, (int)Math.Ceiling(advice.Timeout.TotalSeconds)), SiteDatabase.SiteSettings(), ct).ConfigureAwait(false))
        {
            // A new process takes its first requests cold: recovery is judged on the fixed pool, not on start-up. Seen: a
            // quick drill's 12 s fixed phase at p99 465 ms with 24 requests queued in its first seconds, 234 ms after them.
            fixedPhase = await env.Phases.RunAsync(new PhasePlan(DrillPhaseKind.Fixed, site, recommended, peakRate, Options.FixedPhase)
            {
                StopEarly = ct,
                BeforeLoad = () => env.Load.WarmUpAsync(site, ct),
            }).ConfigureAwait(false);
        }

        var recovered = DrillThresholds.Recovered(fixedPhase, normal);
        Say.Recovery(recovered, fixedPhase, normal);

        return DrillReports.Pool(env, startedAt, new PoolRun(
            peakRate, normal, incident, replay, replayS, fixedPhase, incidentStart, cause, cause is null ? null : detector.ConfirmedAt, sizingInput, advice, recovered));
    }

    /// <summary>With --admission: the same incident once more on a new site process (the guard's options are fixed for its
    /// life) with admission control on, the same too-small pool, the same peak traffic for as long.</summary>
    private async Task<(DrillPhase? Replay, double Seconds)> ReplayWithAdmissionAsync(string badSite, double peakRate, TimeSpan load, DrillPhase incident, CancellationToken ct)
    {
        if (Options.AdmissionBudget is not { } admission) return (null, 0);
        var replayStart = env.Timeline.Now;
        var bad = Options.MisconfiguredPoolSize;
        Say.ReplayStarting(admission, bad, peakRate, load);
        DrillPhase replay;
        await using (var site = await SiteProcess.StartAsync(env.Database.Checkout, badSite, AdmissionSettings.For(admission), ct).ConfigureAwait(false))
        {
            replay = await env.Phases.RunAsync(new PhasePlan(DrillPhaseKind.IncidentAdmission, site, bad, peakRate, load) { StopEarly = ct, Admission = admission }).ConfigureAwait(false);
        }

        Say.ReplayResult(incident, replay, Options.SlowThreshold);
        return (replay, Math.Round(env.Timeline.Now - replayStart, 1));
    }

    // Demand is what arrived during the incident (granted + timed out), not what the small pool managed to serve; hold
    // times come from normal traffic, before queueing distorted anything.
    private (DrillSizingInput Input, PoolSizingRecommendation Advice) Advise(DrillPhase normal)
    {
        var incident = env.Timeline.Of(DrillPhaseKind.Incident);
        var input = new DrillSizingInput(
            Math.Round(PoolLoadEstimator.ArrivalRatePerSecond(incident.Select(x => (x.T, x.LeaseRequestRate, x.PoolPending)).ToList()), 2),
            normal.HoldMeanMs,
            Math.Max(normal.HoldMeanMs, normal.HoldP99Ms),
            1);
        var saturation = PoolLoadEstimator.SaturationConnections(incident.Select(x => (x.PoolUsed, x.DbCpuCores)).ToList(), env.Cores, env.Budget);
        if (saturation is { } sat) Say.Saturation(sat, env.Cores);
        var advice = PoolSizingAdvisor.Recommend(new PoolSizingInput
        {
            ArrivalRatePerSecond = input.ArrivalRatePerSecond,
            Hold = HoldTimeDistribution.FromMeanAndP99(
                TimeSpan.FromMilliseconds(Math.Max(0.01, input.HoldMeanMs)),
                TimeSpan.FromMilliseconds(Math.Max(0.01, input.HoldP99Ms))),
            DatabaseCores = env.Cores,
            DatabaseSaturationConnections = saturation,
            ServerMaxConnections = env.Budget,
            Instances = input.Instances,
        });
        Say.Advice(advice);
        return (input, advice);
    }
}
