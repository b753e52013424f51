namespace Incidents.Measures;

/// <summary>
/// The three response times of one incident, in seconds. MTTD: fault onset (the diagnosis's <c>since</c> when known, else
/// the earliest alert <c>startsAt</c>) to opened. MTTA: opened to first acknowledgement. MTTR: the alert's startsAt to resolved.
/// </summary>
public sealed record IncidentMeasures(double? MttdSeconds, double? MttaSeconds, double? MttrSeconds)
{
    /// <summary>Computes them from the incident's timestamps (UTC).</summary>
    public static IncidentMeasures From(DateTime faultStartedAt, DateTime? onsetAt, DateTime openedAt, DateTime? acknowledgedAt, DateTime? resolvedAt)
    {
        var onset = onsetAt ?? faultStartedAt;
        return new IncidentMeasures(
            Math.Max(0, (openedAt - onset).TotalSeconds),
            acknowledgedAt is { } a ? Math.Max(0, (a - openedAt).TotalSeconds) : null,
            resolvedAt is { } r ? Math.Max(0, (r - faultStartedAt).TotalSeconds) : null);
    }
}
