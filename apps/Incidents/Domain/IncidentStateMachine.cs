using System.Globalization;
using System.Text.Json;

namespace Incidents.Domain;

/// <summary>
/// The incident's life, pure: triggered → acknowledged → resolved; a resolved incident whose group fires again within the
/// reopen window is re-opened (triggered), an acknowledgement that times out triggers it again. Each event is answered
/// with the change to write (status, timeline entry, audit row) or why nothing is written; callers only store it.
/// </summary>
public static class IncidentStateMachine
{
    /// <summary>The actor and source of changes Alertmanager's notifications make.</summary>
    public const string Alertmanager = "alertmanager";

    /// <summary>The actor and source of changes escalation makes.</summary>
    public const string Escalation = "escalation";

    private const int NamesShown = 5;

    /// <summary>A group fired with no incident to join: the new incident, triggered.</summary>
    /// <param name="receiver">Alertmanager's receiver.</param>
    /// <param name="groupKey">The group.</param>
    /// <param name="title">The incident's title.</param>
    /// <param name="firing">The firing alerts: fingerprint and readable name.</param>
    /// <param name="faultStart">The earliest startsAt of the firing alerts.</param>
    public static IncidentChange Open(string? receiver, string groupKey, string title, IReadOnlyList<(string Fingerprint, string Name)> firing, DateTime faultStart)
    {
        ArgumentNullException.ThrowIfNull(firing);
        var names = string.Join(", ", firing.Take(NamesShown).Select(a => a.Name)) + (firing.Count > NamesShown ? $" and {firing.Count - NamesShown} more" : "");
        var data = JsonSerializer.Serialize(new { group_key = groupKey, fingerprints = firing.Select(a => a.Fingerprint) });
        return new IncidentChange(IncidentTransition.Open, IncidentStatus.Triggered, Alertmanager,
            new TimelineEntry(TimelineKind.Opened, Alertmanager,
                $"Opened by Alertmanager ({receiver}): {firing.Count} alert(s) firing: {names}. Firing since {faultStart:yyyy-MM-dd HH:mm:ss} UTC.", data),
            new AuditEntry(Alertmanager, Alertmanager, "open", title));
    }

    /// <summary>Whether a firing group joins its latest incident (open, or resolved within the reopen window) instead of opening a new one.</summary>
    public static bool Joins(IncidentStatus status, DateTime? resolvedAt, DateTime now, TimeSpan reopenWindow) =>
        status != IncidentStatus.Resolved || resolvedAt >= now - reopenWindow;

    /// <summary>A responder acknowledges: only a triggered incident changes; a resolved one cannot be acknowledged.</summary>
    public static IncidentDecision Acknowledge(IncidentStatus from, Actor actor, string? note)
    {
        ArgumentNullException.ThrowIfNull(actor);
        return from switch
        {
            IncidentStatus.Resolved => IncidentDecision.Conflict,
            IncidentStatus.Acknowledged => IncidentDecision.AlreadyDone,
            _ => Done(IncidentTransition.Acknowledge, IncidentStatus.Acknowledged, actor.Name,
                new TimelineEntry(TimelineKind.Acknowledged, actor.Name, $"Acknowledged by {actor.Name} ({actor.Source}).{NoteSuffix(note)}"),
                new AuditEntry(actor.Name, actor.Source, "acknowledge", note ?? "")),
        };
    }

    /// <summary>A responder resolves: any open incident closes.</summary>
    public static IncidentDecision Resolve(IncidentStatus from, Actor actor, string? note)
    {
        ArgumentNullException.ThrowIfNull(actor);
        return from == IncidentStatus.Resolved
            ? IncidentDecision.AlreadyDone
            : Done(IncidentTransition.Resolve, IncidentStatus.Resolved, actor.Name,
                new TimelineEntry(TimelineKind.Resolved, actor.Name, $"Resolved by {actor.Name} ({actor.Source}).{NoteSuffix(note)}"),
                new AuditEntry(actor.Name, actor.Source, "resolve", note ?? ""));
    }

    /// <summary>No alert of the group fires any more: an open incident resolves.</summary>
    public static IncidentDecision AlertsResolved(IncidentStatus from) =>
        from == IncidentStatus.Resolved
            ? IncidentDecision.AlreadyDone
            : Done(IncidentTransition.Resolve, IncidentStatus.Resolved, Alertmanager,
                new TimelineEntry(TimelineKind.Resolved, Alertmanager, "Resolved: every alert of the group has resolved."),
                new AuditEntry(Alertmanager, Alertmanager, "resolve", "every alert of the group resolved"));

    /// <summary>The group fired again after its incident resolved (within the window, see <see cref="Joins"/>): triggered again.</summary>
    /// <param name="from">The incident's status.</param>
    /// <param name="reopensBefore">How often it was re-opened before.</param>
    /// <param name="resolvedAt">When it resolved.</param>
    /// <param name="now">Now.</param>
    /// <param name="firingNames">The readable names of the alerts firing again.</param>
    public static IncidentDecision Reopen(IncidentStatus from, int reopensBefore, DateTime resolvedAt, DateTime now, IEnumerable<string> firingNames)
    {
        if (from != IncidentStatus.Resolved) return IncidentDecision.Conflict;
        var n = reopensBefore + 1;
        return Done(IncidentTransition.Reopen, IncidentStatus.Triggered, Alertmanager,
            new TimelineEntry(TimelineKind.Reopened, Alertmanager,
                $"Re-opened (reopen #{n}): the group fired again {(now - resolvedAt).TotalSeconds:0} s after it resolved ({string.Join(", ", firingNames.Take(NamesShown))})."),
            new AuditEntry(Alertmanager, Alertmanager, "reopen", $"reopen #{n}"));
    }

    /// <summary>The acknowledgement timed out (the policy's ack timeout passed unresolved): an acknowledged incident is triggered again.</summary>
    public static IncidentDecision AcknowledgementTimedOut(IncidentStatus from, string policy, double? ackTimeoutMinutes) =>
        from != IncidentStatus.Acknowledged
            ? IncidentDecision.Conflict
            : Done(IncidentTransition.Retrigger, IncidentStatus.Triggered, Escalation,
                new TimelineEntry(TimelineKind.Retriggered, Escalation,
                    $"Acknowledged but not resolved within {ackTimeoutMinutes?.ToString("0.##", CultureInfo.InvariantCulture)} min: triggered again; escalation '{policy}' starts over."),
                new AuditEntry(Escalation, Escalation, "retrigger", "acknowledgement timeout"));

    private static IncidentDecision Done(IncidentTransition transition, IncidentStatus to, string by, TimelineEntry timeline, AuditEntry audit) =>
        new(ActionOutcome.Done, new IncidentChange(transition, to, by, timeline, audit));

    private static string NoteSuffix(string? note) => string.IsNullOrWhiteSpace(note) ? "" : " " + note.Trim();
}
