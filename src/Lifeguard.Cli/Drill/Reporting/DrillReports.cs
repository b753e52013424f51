using Lifeguard.Cli.Drill.Engine;
using Lifeguard.Cli.Drill.Faults;
using Lifeguard.Cli.Drill.Scenarios;
using static Lifeguard.Cli.Drill.Reporting.DrillNarrator;

namespace Lifeguard.Cli.Drill.Reporting;

/// <summary>The drill's report (drill.json, and through it drill.md and drill.png), assembled from what a scenario ran.</summary>
internal static class DrillReports
{
    /// <summary>The pool incident's report: the advisor's size is its mitigation.</summary>
    public static DrillReport Pool(DrillEnvironment env, DateTimeOffset startedAt, PoolRun run)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(run);
        var options = env.Options;
        var bad = options.MisconfiguredPoolSize;
        var recommended = run.Advice.MaximumPoolSize;
        return new DrillReport
        {
            StartedAt = startedAt,
            Quick = options.Quick,
            DurationS = Math.Round(env.Timeline.Now, 1),
            Settings = env.Settings(bad, options.NormalRate, run.PeakRate),
            Phases = run.Replay is null ? [run.Normal, run.Incident, run.Fixed] : [run.Normal, run.Incident, run.Replay, run.Fixed],
            Comparison = run.Replay is null ? null : ComparisonFindings.AdmissionReplay(run.Incident, run.Replay, options.SlowThreshold),
            ComparisonS = run.ReplayS,
            DetectedAfterS = run.DetectedAt,
            RootCauseAfterS = run.Cause is null ? null : run.DetectedAt,
            ResolvedAfterS = run.Recovered ? Math.Round(run.Fixed.EndS - run.IncidentStart - run.ReplayS, 1) : null,
            RootCause = run.Cause,
            Fault = DrillFaults.Pool,
            FaultDescription = F($"Maximum Pool Size={bad} for peak traffic of {run.PeakRate:0.#} req/s"),
            ExpectedCause = DrillFaults.ExpectedCause(DrillFaults.Pool),
            Mitigation = new DrillMitigation(F($"restarted the website with the sizing advisor's Maximum Pool Size={recommended}"), bad, recommended),
            RecommendedMaxPoolSize = recommended,
            RecommendationReasoning = string.Join(" ", run.Advice.Reasons),
            SizingInput = run.SizingInput,
            Recovered = run.Recovered,
            RecoveryP99Ms = run.Fixed.P99Ms,
            BaselineP99Ms = run.Normal.P99Ms,
            Timeline = env.Timeline.Samples,
        };
    }

    /// <summary>A fault's report: the mitigation that fit the named cause, the pool unchanged.</summary>
    public static DrillReport Fault(DrillEnvironment env, DateTimeOffset startedAt, FaultRun run)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(run);
        var options = env.Options;
        var resolved = run.Recovered ? Math.Round(run.Verify.EndS - run.FaultStart - run.DemoS, 1) : (double?)null;
        var first = new DrillCase(run.Fault == DrillFaults.Pooler ? "shrunk" : run.Fault, run.FaultDescription, run.ExpectedCause, run.Cause, run.DetectedAt, run.CauseAt,
            resolved, run.Mitigation, run.Recovered, run.Verify.P99Ms, [run.FaultPhase.Name, .. run.DemoPhases.Select(p => p.Name), run.Verify.Name]);
        return new DrillReport
        {
            StartedAt = startedAt,
            Quick = options.Quick,
            Fault = run.Fault,
            FaultDescription = run.FaultDescription,
            ExpectedCause = run.ExpectedCause,
            DurationS = Math.Round(env.Timeline.Now, 1),
            Settings = env.Settings(options.HealthyPoolSize, options.NormalRate, options.NormalRate),
            Phases = run.Held is { } held ? [run.Normal, run.FaultPhase, .. run.DemoPhases, run.Verify, held.Held, held.Verify] : [run.Normal, run.FaultPhase, .. run.DemoPhases, run.Verify],
            Cases = run.Held is { } second ? [first, second.Case] : null,
            Comparison = run.Comparison,
            ComparisonS = run.DemoS,
            DetectedAfterS = run.DetectedAt,
            RootCauseAfterS = run.CauseAt,
            ResolvedAfterS = resolved,
            RootCause = run.Cause,
            Mitigation = run.Mitigation,
            Recovered = run.Recovered && (run.Held is null || run.Held.Case.Recovered),
            RecoveryP99Ms = run.Verify.P99Ms,
            BaselineP99Ms = run.Normal.P99Ms,
            Timeline = env.Timeline.Samples,
        };
    }
}
