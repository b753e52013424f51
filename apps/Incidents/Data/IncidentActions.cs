using Dapper;
using Npgsql;

namespace Incidents.Data;

/// <summary>The responder's actions on the state machine: acknowledge, resolve, note. Each writes its timeline event and audit row in one transaction.</summary>
public sealed class IncidentActions(NpgsqlDataSource db, TimeProvider time, Incidents.Escalation.Escalations escalations)
{
    internal const int MaxNoteLength = 4000;

    /// <summary>triggered → acknowledged.</summary>
    public Task<ActionOutcome> AcknowledgeAsync(long id, Actor actor, string? note, CancellationToken ct) =>
        ChangeAsync(id, actor, ct, async (conn, tx, row, now) =>
        {
            if (row.Status == IncidentStatus.Resolved) return ActionOutcome.Conflict;
            if (row.Status == IncidentStatus.Acknowledged) return ActionOutcome.AlreadyDone;
            await conn.ExecuteAsync(new CommandDefinition(
                """
                UPDATE incidents SET status = 'acknowledged', acknowledged_at = COALESCE(acknowledged_at, @now),
                       acknowledged_by = COALESCE(acknowledged_by, @who), updated_at = @now WHERE id = @id
                """, new { now, who = actor.Name, id }, tx, cancellationToken: ct));
            await Timeline.AddAsync(conn, tx, id, now, TimelineKind.Acknowledged, actor.Name, $"Acknowledged by {actor.Name} ({actor.Source}).{NoteSuffix(note)}", null, ct);
            await escalations.AcknowledgedAsync(conn, tx, id, now, ct);
            await Audit.AddAsync(conn, tx, now, actor.Name, actor.Source, "acknowledge", id, note ?? "", ct);
            return ActionOutcome.Done;
        });

    /// <summary>any open state → resolved.</summary>
    public Task<ActionOutcome> ResolveAsync(long id, Actor actor, string? note, CancellationToken ct) =>
        ChangeAsync(id, actor, ct, async (conn, tx, row, now) =>
        {
            if (row.Status == IncidentStatus.Resolved) return ActionOutcome.AlreadyDone;
            await conn.ExecuteAsync(new CommandDefinition(
                "UPDATE incidents SET status = 'resolved', resolved_at = @now, resolved_by = @who, updated_at = @now WHERE id = @id",
                new { now, who = actor.Name, id }, tx, cancellationToken: ct));
            await Timeline.AddAsync(conn, tx, id, now, TimelineKind.Resolved, actor.Name, $"Resolved by {actor.Name} ({actor.Source}).{NoteSuffix(note)}", null, ct);
            await Incidents.Escalation.Escalations.ResolvedAsync(conn, tx, id, now, ct);
            await Audit.AddAsync(conn, tx, now, actor.Name, actor.Source, "resolve", id, note ?? "", ct);
            return ActionOutcome.Done;
        });

    /// <summary>Adds a note to the timeline.</summary>
    public Task<ActionOutcome> AddNoteAsync(long id, Actor actor, string note, CancellationToken ct) =>
        ChangeAsync(id, actor, ct, async (conn, tx, _, now) =>
        {
            await Timeline.AddAsync(conn, tx, id, now, TimelineKind.Note, actor.Name, note.Trim(), null, ct);
            await Audit.AddAsync(conn, tx, now, actor.Name, actor.Source, "note", id, note.Trim(), ct);
            return ActionOutcome.Done;
        });

    /// <summary>Null when the note is usable, else why not.</summary>
    public static string? NoteProblem(string? note, bool required) =>
        string.IsNullOrWhiteSpace(note) ? (required ? "the note is empty" : null)
        : note.Length > MaxNoteLength ? $"the note is longer than {MaxNoteLength} characters" : null;

    private static string NoteSuffix(string? note) => string.IsNullOrWhiteSpace(note) ? "" : " " + note.Trim();

    private async Task<ActionOutcome> ChangeAsync(long id, Actor actor, CancellationToken ct,
        Func<NpgsqlConnection, NpgsqlTransaction, IncidentRow, DateTime, Task<ActionOutcome>> change)
    {
        ArgumentNullException.ThrowIfNull(actor);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<IncidentRow>(new CommandDefinition(
            "SELECT * FROM incidents WHERE id = @id FOR UPDATE", new { id }, tx, cancellationToken: ct));
        if (row is null) return ActionOutcome.NotFound;
        var outcome = await change(conn, tx, row, time.GetUtcNow().UtcDateTime);
        await tx.CommitAsync(ct);
        return outcome;
    }
}
