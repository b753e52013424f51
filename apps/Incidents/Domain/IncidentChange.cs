namespace Incidents.Domain;

/// <summary>A status change decided by <see cref="IncidentStateMachine"/>: the new status, who made it, what the timeline and the audit trail say.</summary>
/// <param name="Transition">Which change it is.</param>
/// <param name="To">The status afterwards.</param>
/// <param name="By">Who made it (stored as acknowledged_by / resolved_by).</param>
/// <param name="Timeline">The timeline entry.</param>
/// <param name="Audit">The audit row.</param>
public sealed record IncidentChange(IncidentTransition Transition, IncidentStatus To, string By, TimelineEntry Timeline, AuditEntry Audit);
