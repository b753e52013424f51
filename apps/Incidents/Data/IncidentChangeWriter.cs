using Incidents.Domain;
using Incidents.Escalations;

namespace Incidents.Data;

/// <summary>
/// Stores a change <see cref="IncidentStateMachine"/> decided, in the caller's session: the status columns, the timeline entry,
/// escalation's answer (start, pause, stop), the audit row, in that order, so every writer records a change the same way.
/// </summary>
public sealed class IncidentChangeWriter(EscalationLifecycle escalation)
{
    /// <summary>Writes <paramref name="change"/> for an incident that exists (an open is stored by intake).</summary>
    public async Task WriteAsync(IncidentsSession session, long incidentId, string labelsJson, IncidentChange change, DateTime now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(change);
        await session.Incidents.ApplyAsync(incidentId, change, now, ct);
        await session.Timeline.AddAsync(incidentId, now, change.Timeline, ct);
        await escalation.FollowAsync(session, incidentId, change, labelsJson, now, ct);
        await session.Audit.AddAsync(now, change.Audit, incidentId, ct);
    }
}
