using Incidents.Domain;

namespace Incidents.Data;

/// <summary>The responder's actions: acknowledge, resolve, note. <see cref="IncidentStateMachine"/> decides; each change and its timeline and audit rows commit in one transaction.</summary>
public sealed class IncidentActions(IncidentsDatabase db, TimeProvider time, IncidentChangeWriter writer)
{
    internal const int MaxNoteLength = 4000;

    /// <summary>triggered → acknowledged.</summary>
    public Task<ActionOutcome> AcknowledgeAsync(long id, Actor actor, string? note, CancellationToken ct) =>
        ChangeAsync(id, actor, ct, row => IncidentStateMachine.Acknowledge(row.Status, actor, note));

    /// <summary>any open state → resolved.</summary>
    public Task<ActionOutcome> ResolveAsync(long id, Actor actor, string? note, CancellationToken ct) =>
        ChangeAsync(id, actor, ct, row => IncidentStateMachine.Resolve(row.Status, actor, note));

    /// <summary>Adds a note to the timeline.</summary>
    public async Task<ActionOutcome> AddNoteAsync(long id, Actor actor, string note, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(note);
        await using var session = await db.BeginAsync(ct);
        if (await session.Incidents.GetForUpdateAsync(id, ct) is null) return ActionOutcome.NotFound;
        var now = time.GetUtcNow().UtcDateTime;
        await session.Timeline.AddAsync(id, now, TimelineKind.Note, actor.Name, note.Trim(), ct);
        await session.Audit.AddAsync(now, new AuditEntry(actor.Name, actor.Source, "note", note.Trim()), id, ct);
        await session.CommitAsync(ct);
        return ActionOutcome.Done;
    }

    /// <summary>Null when the note is usable, else why not.</summary>
    public static string? NoteProblem(string? note, bool required) =>
        string.IsNullOrWhiteSpace(note) ? (required ? "the note is empty" : null)
        : note.Length > MaxNoteLength ? $"the note is longer than {MaxNoteLength} characters" : null;

    private async Task<ActionOutcome> ChangeAsync(long id, Actor actor, CancellationToken ct, Func<IncidentRow, IncidentDecision> decide)
    {
        ArgumentNullException.ThrowIfNull(actor);
        await using var session = await db.BeginAsync(ct);
        var row = await session.Incidents.GetForUpdateAsync(id, ct);
        if (row is null) return ActionOutcome.NotFound;
        var decision = decide(row);
        if (decision.Change is { } change)
        {
            await writer.WriteAsync(session, id, row.Labels, change, time.GetUtcNow().UtcDateTime, ct);
        }

        await session.CommitAsync(ct);
        return decision.Outcome;
    }
}
