using Dapper;
using Incidents.Domain;

namespace Incidents.Data;

/// <summary>The incidents table: reads for intake and the state machine's changes, written inside the session's transaction.</summary>
public sealed class IncidentRepository
{
    private readonly IncidentsSession _s;

    internal IncidentRepository(IncidentsSession session) => _s = session;

    /// <summary>Serialises intake per alert group until the transaction ends (replicas never race on one group).</summary>
    /// <remarks>Its own statement on purpose: under READ COMMITTED each later statement takes its snapshot after the lock is
    /// held, so it sees the incident a concurrent intake of the same group just committed.</remarks>
    public Task LockGroupAsync(string groupKey, CancellationToken ct) =>
        _s.Connection.ExecuteAsync(_s.Command("SELECT pg_advisory_xact_lock(hashtextextended(@groupKey, 15))", new { groupKey }, ct));

    /// <summary>The group's latest incident (any status) with its alerts by fingerprint; null and empty when the group has none.</summary>
    internal async Task<(IncidentRow? Incident, Dictionary<string, AlertRow> Alerts)> LatestOfGroupAsync(string groupKey, CancellationToken ct)
    {
        await using var read = await _s.Connection.QueryMultipleAsync(_s.Command(
            """
            SELECT * FROM incidents WHERE group_key = @groupKey ORDER BY id DESC LIMIT 1;
            SELECT * FROM incident_alerts WHERE incident_id = (SELECT id FROM incidents WHERE group_key = @groupKey ORDER BY id DESC LIMIT 1);
            """, new { groupKey }, ct));
        var incident = await read.ReadSingleOrDefaultAsync<IncidentRow>();
        var alerts = (await read.ReadAsync<AlertRow>()).ToDictionary(a => a.Fingerprint, StringComparer.Ordinal);
        return (incident, alerts);
    }

    /// <summary>One incident, locked for the transaction; null when there is none.</summary>
    internal Task<IncidentRow?> GetForUpdateAsync(long id, CancellationToken ct) =>
        _s.Connection.QuerySingleOrDefaultAsync<IncidentRow>(_s.Command("SELECT * FROM incidents WHERE id = @id FOR UPDATE", new { id }, ct));

    /// <summary>Stores a new incident (<see cref="IncidentStateMachine.Open"/>); evidence is queued when there is a target.</summary>
    internal Task<IncidentRow> InsertAsync(NewIncident incident, IncidentChange change, DateTime now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(incident);
        ArgumentNullException.ThrowIfNull(change);
        var evidence = incident.EvidenceUrl is null ? EvidenceState.None : EvidenceState.Pending;
        return _s.Connection.QuerySingleAsync<IncidentRow>(_s.Command(
            """
            INSERT INTO incidents (group_key, status, title, receiver, labels, annotations, fault_started_at, opened_at, evidence_state, evidence_url, evidence_due_at, updated_at)
            VALUES (@GroupKey, @status, @Title, @Receiver, @Labels::jsonb, @Annotations::jsonb, @FaultStartedAt, @now, @evidence, @url, @due, @now)
            RETURNING *
            """,
            new
            {
                incident.GroupKey, status = SqlNames.Of(change.To), incident.Title, incident.Receiver, incident.Labels, incident.Annotations,
                incident.FaultStartedAt, now, evidence = SqlNames.Of(evidence), url = incident.EvidenceUrl?.ToString(),
                due = incident.EvidenceUrl is null ? (DateTime?)null : now,
            }, ct));
    }

    /// <summary>Writes a status change decided by <see cref="IncidentStateMachine"/> (the timeline and audit rows are the caller's).</summary>
    public Task ApplyAsync(long id, IncidentChange change, DateTime now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(change);
        var sql = change.Transition switch
        {
            IncidentTransition.Acknowledge =>
                """
                UPDATE incidents SET status = @status, acknowledged_at = COALESCE(acknowledged_at, @now),
                       acknowledged_by = COALESCE(acknowledged_by, @by), updated_at = @now WHERE id = @id
                """,
            IncidentTransition.Resolve => "UPDATE incidents SET status = @status, resolved_at = @now, resolved_by = @by, updated_at = @now WHERE id = @id",
            // a re-opened incident fetches its evidence again: the fault may not be the one it had
            IncidentTransition.Reopen =>
                """
                UPDATE incidents SET status = @status, resolved_at = NULL, resolved_by = NULL, reopen_count = reopen_count + 1,
                       evidence_state = CASE WHEN evidence_url IS NULL THEN @none ELSE @pending END, evidence_attempts = 0,
                       evidence_due_at = CASE WHEN evidence_url IS NULL THEN NULL ELSE @now END, updated_at = @now
                WHERE id = @id
                """,
            IncidentTransition.Retrigger => "UPDATE incidents SET status = @status, updated_at = @now WHERE id = @id",
            _ => throw new ArgumentOutOfRangeException(nameof(change), change.Transition, "an open is stored with InsertAsync"),
        };
        return _s.Connection.ExecuteAsync(_s.Command(sql, new
        {
            id, now, by = change.By, status = SqlNames.Of(change.To),
            none = SqlNames.Of(EvidenceState.None), pending = SqlNames.Of(EvidenceState.Pending),
        }, ct));
    }

    /// <summary>Records how many alerts Alertmanager left out of the latest body.</summary>
    public Task SetTruncatedAsync(long id, int truncated, DateTime now, CancellationToken ct) =>
        _s.Connection.ExecuteAsync(_s.Command("UPDATE incidents SET truncated_alerts = @truncated, updated_at = @now WHERE id = @id", new { truncated, now, id }, ct));

    /// <summary>Records how many alerts beyond the cap were counted, not stored.</summary>
    public Task SetOverflowAsync(long id, int overflow, DateTime now, CancellationToken ct) =>
        _s.Connection.ExecuteAsync(_s.Command("UPDATE incidents SET alerts_overflow = @overflow, updated_at = @now WHERE id = @id", new { overflow, now, id }, ct));
}
