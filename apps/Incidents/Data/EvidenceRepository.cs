using Dapper;
using Incidents.Domain;

namespace Incidents.Data;

/// <summary>The evidence queue: incidents whose evidence is pending, claimed with FOR UPDATE SKIP LOCKED by any replica.</summary>
public sealed class EvidenceRepository
{
    private readonly IncidentsSession _s;

    internal EvidenceRepository(IncidentsSession session) => _s = session;

    /// <summary>Claims the incident whose evidence is due first and leases it until <paramref name="leaseUntil"/> (due again then, should this replica die); null when none is due.</summary>
    internal async Task<IncidentRow?> ClaimDueAsync(DateTime now, DateTime leaseUntil, CancellationToken ct)
    {
        var job = await _s.Connection.QuerySingleOrDefaultAsync<IncidentRow>(_s.Command(
            """
            SELECT * FROM incidents WHERE evidence_state = @pending AND evidence_due_at <= @now
            ORDER BY evidence_due_at LIMIT 1 FOR UPDATE SKIP LOCKED
            """, new { now, pending = SqlNames.Of(EvidenceState.Pending) }, ct));
        if (job is null) return null;
        job.EvidenceAttempts++;
        await _s.Connection.ExecuteAsync(_s.Command(
            "UPDATE incidents SET evidence_attempts = @attempts, evidence_due_at = @leaseUntil WHERE id = @id",
            new { attempts = job.EvidenceAttempts, leaseUntil, id = job.Id }, ct));
        return job;
    }

    /// <summary>The incident's evidence state, locking its row; null when there is no such incident.</summary>
    public async Task<EvidenceState?> StateForUpdateAsync(long id, CancellationToken ct)
    {
        var word = await _s.Connection.ExecuteScalarAsync<string?>(_s.Command("SELECT evidence_state FROM incidents WHERE id = @id FOR UPDATE", new { id }, ct));
        return word is null ? null : SqlNames.Read<EvidenceState>(word);
    }

    /// <summary>Stores the diagnosis; the onset is kept when one was stored before.</summary>
    public Task DoneAsync(long id, string diagnosisJson, DateTime? onset, DateTime now, CancellationToken ct) =>
        _s.Connection.ExecuteAsync(_s.Command(
            """
            UPDATE incidents SET diagnosis = @diagnosisJson::jsonb, evidence_state = @done, evidence_due_at = NULL,
                   onset_at = COALESCE(onset_at, @onset), updated_at = @now WHERE id = @id
            """, new { diagnosisJson, onset, now, id, done = SqlNames.Of(EvidenceState.Done) }, ct));

    /// <summary>Gives up on the evidence.</summary>
    public Task FailedAsync(long id, DateTime now, CancellationToken ct) =>
        _s.Connection.ExecuteAsync(_s.Command(
            "UPDATE incidents SET evidence_state = @failed, evidence_due_at = NULL, updated_at = @now WHERE id = @id",
            new { now, id, failed = SqlNames.Of(EvidenceState.Failed) }, ct));

    /// <summary>Tries again at <paramref name="due"/>.</summary>
    public Task RetryAtAsync(long id, DateTime due, CancellationToken ct) =>
        _s.Connection.ExecuteAsync(_s.Command("UPDATE incidents SET evidence_due_at = @due WHERE id = @id", new { due, id }, ct));
}
