using Dapper;
using Incidents.Data;
using Incidents.Domain;

namespace Incidents.Escalations;

/// <summary>The escalations table: one row per incident, claimed by the workers of every replica with FOR UPDATE SKIP LOCKED when due.</summary>
public sealed class EscalationRepository
{
    private readonly IncidentsSession _s;

    internal EscalationRepository(IncidentsSession session) => _s = session;

    /// <summary>Starts (or restarts, counting a new run) an incident's escalation with a policy snapshot, due now.</summary>
    public Task StartAsync(long incidentId, string policy, string snapshot, DateTime now, CancellationToken ct) =>
        _s.Connection.ExecuteAsync(_s.Command(
            """
            INSERT INTO escalations (incident_id, policy, snapshot, state, next_step, repeats, due_at, updated_at)
            VALUES (@incidentId, @policy, @snapshot::jsonb, @running, 0, '{}', @now, @now)
            ON CONFLICT (incident_id) DO UPDATE SET policy = excluded.policy, snapshot = excluded.snapshot, run = escalations.run + 1,
                state = @running, next_step = 0, repeats = '{}', due_at = excluded.due_at, updated_at = excluded.updated_at
            """, new { incidentId, policy, snapshot, now, running = SqlNames.Of(EscalationState.Running) }, ct));

    /// <summary>The policy snapshot of an escalation that is running or finished, locking its row; null otherwise.</summary>
    public Task<string?> ActiveSnapshotForUpdateAsync(long incidentId, CancellationToken ct) =>
        _s.Connection.ExecuteScalarAsync<string?>(_s.Command(
            "SELECT snapshot::text FROM escalations WHERE incident_id = @incidentId AND state = ANY(@active) FOR UPDATE",
            new { incidentId, active = new[] { SqlNames.Of(EscalationState.Running), SqlNames.Of(EscalationState.Finished) } }, ct));

    /// <summary>Pauses for an acknowledgement, due again at <paramref name="due"/> (the ack timeout) or never.</summary>
    public Task AcknowledgeAsync(long incidentId, DateTime? due, DateTime now, CancellationToken ct) =>
        _s.Connection.ExecuteAsync(_s.Command(
            "UPDATE escalations SET state = @acknowledged, due_at = @due, updated_at = @now WHERE incident_id = @incidentId",
            new { due, now, incidentId, acknowledged = SqlNames.Of(EscalationState.Acknowledged) }, ct));

    /// <summary>Stops an escalation not yet stopped; its policy's name, or null when there was nothing to stop.</summary>
    public Task<string?> StopAsync(long incidentId, DateTime now, CancellationToken ct) =>
        _s.Connection.ExecuteScalarAsync<string?>(_s.Command(
            "UPDATE escalations SET state = @stopped, due_at = NULL, updated_at = @now WHERE incident_id = @incidentId AND state <> @stopped RETURNING policy",
            new { now, incidentId, stopped = SqlNames.Of(EscalationState.Stopped) }, ct));

    /// <summary>Claims the escalation due first, with its incident's status.</summary>
    /// <remarks>The incident row is locked too, as acknowledge/resolve/intake lock it first and the escalation row second: an
    /// incident someone is acting on right now is skipped this round instead of deadlocking (the step is short, no I/O).</remarks>
    internal Task<DueEscalation?> ClaimDueAsync(DateTime now, CancellationToken ct) =>
        _s.Connection.QuerySingleOrDefaultAsync<DueEscalation>(_s.Command(
            """
            SELECT e.incident_id, e.policy, e.snapshot::text AS snapshot, e.run, e.state, e.next_step, e.repeats::text AS repeats, i.status
            FROM escalations e JOIN incidents i ON i.id = e.incident_id
            WHERE e.due_at <= @now ORDER BY e.due_at LIMIT 1 FOR UPDATE OF e, i SKIP LOCKED
            """, new { now }, ct));

    /// <summary>Nothing more to do until an event restarts it: no longer due.</summary>
    public Task ParkAsync(long incidentId, CancellationToken ct) =>
        _s.Connection.ExecuteAsync(_s.Command("UPDATE escalations SET due_at = NULL WHERE incident_id = @incidentId", new { incidentId }, ct));

    /// <summary>Stores where the policy stands after the steps taken now.</summary>
    public Task SaveAsync(long incidentId, int run, EscalationState state, int nextStep, string repeats, DateTime? due, DateTime now, CancellationToken ct) =>
        _s.Connection.ExecuteAsync(_s.Command(
            """
            UPDATE escalations SET run = @run, state = @state, next_step = @nextStep, repeats = @repeats::jsonb, due_at = @due, updated_at = @now
            WHERE incident_id = @incidentId
            """, new { run, state = SqlNames.Of(state), nextStep, repeats, due, now, incidentId }, ct));
}
