namespace Incidents.Domain;

/// <summary>One timeline event to append.</summary>
/// <param name="Kind">A <see cref="TimelineKind"/>.</param>
/// <param name="Actor">Who (a person, or alertmanager, escalation, lifeguard).</param>
/// <param name="Message">What readers see.</param>
/// <param name="Data">Optional JSON for machines.</param>
public sealed record TimelineEntry(string Kind, string Actor, string Message, string? Data = null);
