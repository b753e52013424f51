namespace Lifeguard.Cli.Drill.Engine;

/// <summary>
/// One phase for the <see cref="PhaseRunner"/>: traffic at <see cref="Rate"/> on <see cref="Site"/> for at most
/// <see cref="Duration"/> (less when <see cref="StopEarly"/> fires).
/// </summary>
/// <param name="Kind">What the phase is (its name in the report).</param>
/// <param name="Site">The website the traffic goes to.</param>
/// <param name="PoolSize">The site's Maximum Pool Size, for the report.</param>
/// <param name="Rate">Requests per second (open loop).</param>
/// <param name="Duration">The longest the phase runs.</param>
internal sealed record PhasePlan(DrillPhaseKind Kind, SiteProcess Site, int PoolSize, double Rate, TimeSpan Duration)
{
    /// <summary>Ends the phase before <see cref="Duration"/>.</summary>
    public CancellationToken StopEarly { get; init; }

    /// <summary>Given each second as it is sampled, with the site's diagnosis then (null when unread).</summary>
    public Action<DrillSample, Lifeguard.Diagnosis.DiagnosisReport?>? Watch { get; init; }

    /// <summary>Runs after the users logged in and before the traffic (a warm-up, a fault's injection), so the
    /// phase's first second is the traffic's first.</summary>
    public Func<Task>? BeforeLoad { get; init; }

    /// <summary>The site's admission budget, for the report; null when off.</summary>
    public TimeSpan? Admission { get; init; }
}
