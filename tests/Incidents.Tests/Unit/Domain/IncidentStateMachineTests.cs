using Incidents.Domain;

namespace Incidents.Tests.Unit;

public sealed class IncidentStateMachineTests
{
    private static readonly DateTime T0 = new(2026, 12, 1, 8, 0, 0, DateTimeKind.Utc);
    private static readonly Actor Alice = new("alice", "ui");

    public static TheoryData<IncidentStatus> Statuses => new(Enum.GetValues<IncidentStatus>());

    // every event from every status: the outcome, and the status a Done change leads to
    public static TheoryData<string, IncidentStatus, ActionOutcome, IncidentStatus?> Table => new()
    {
        { "acknowledge", IncidentStatus.Triggered, ActionOutcome.Done, IncidentStatus.Acknowledged },
        { "acknowledge", IncidentStatus.Acknowledged, ActionOutcome.AlreadyDone, null },
        { "acknowledge", IncidentStatus.Resolved, ActionOutcome.Conflict, null },
        { "resolve", IncidentStatus.Triggered, ActionOutcome.Done, IncidentStatus.Resolved },
        { "resolve", IncidentStatus.Acknowledged, ActionOutcome.Done, IncidentStatus.Resolved },
        { "resolve", IncidentStatus.Resolved, ActionOutcome.AlreadyDone, null },
        { "alerts_resolved", IncidentStatus.Triggered, ActionOutcome.Done, IncidentStatus.Resolved },
        { "alerts_resolved", IncidentStatus.Acknowledged, ActionOutcome.Done, IncidentStatus.Resolved },
        { "alerts_resolved", IncidentStatus.Resolved, ActionOutcome.AlreadyDone, null },
        { "reopen", IncidentStatus.Triggered, ActionOutcome.Conflict, null },
        { "reopen", IncidentStatus.Acknowledged, ActionOutcome.Conflict, null },
        { "reopen", IncidentStatus.Resolved, ActionOutcome.Done, IncidentStatus.Triggered },
        { "ack_timeout", IncidentStatus.Triggered, ActionOutcome.Conflict, null },
        { "ack_timeout", IncidentStatus.Acknowledged, ActionOutcome.Done, IncidentStatus.Triggered },
        { "ack_timeout", IncidentStatus.Resolved, ActionOutcome.Conflict, null },
    };

    private static IncidentDecision Decide(string @event, IncidentStatus from) => @event switch
    {
        "acknowledge" => IncidentStateMachine.Acknowledge(from, Alice, null),
        "resolve" => IncidentStateMachine.Resolve(from, Alice, null),
        "alerts_resolved" => IncidentStateMachine.AlertsResolved(from),
        "reopen" => IncidentStateMachine.Reopen(from, 0, T0, T0.AddMinutes(3), ["PoolExhausted"]),
        _ => IncidentStateMachine.AcknowledgementTimedOut(from, "page", 10),
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Event_FromEachStatus_DecidesTheOutcomeAndTheNextStatus(string @event, IncidentStatus from, ActionOutcome outcome, IncidentStatus? to)
    {
        var d = Decide(@event, from);
        d.Outcome.ShouldBe(outcome);
        d.Change?.To.ShouldBe(to!.Value);
        (d.Change is null).ShouldBe(to is null);
    }

    [Fact]
    public void Table_CoversEveryEventFromEveryStatus() =>
        Table.Select(r => ((string)r.Data.Item1, (IncidentStatus)r.Data.Item2)).Distinct().Count().ShouldBe(5 * Enum.GetValues<IncidentStatus>().Length);

    [Fact]
    public void Open_NewIncident_IsTriggeredAndNamesItsAlerts()
    {
        var firing = Enumerable.Range(1, 7).Select(i => ($"fp{i}", $"Alert{i}")).ToList();
        var change = IncidentStateMachine.Open("lifeguard-page", "{}:{alertname=\"X\"}", "Pool exhausted", firing, T0);
        change.Transition.ShouldBe(IncidentTransition.Open);
        change.To.ShouldBe(IncidentStatus.Triggered);
        change.Timeline.Kind.ShouldBe(TimelineKind.Opened);
        change.Timeline.Message.ShouldBe("Opened by Alertmanager (lifeguard-page): 7 alert(s) firing: Alert1, Alert2, Alert3, Alert4, Alert5 and 2 more. Firing since 2026-12-01 08:00:00 UTC.");
        change.Timeline.Data!.ShouldContain("\"fingerprints\":[\"fp1\"");
        change.Audit.ShouldBe(new AuditEntry("alertmanager", "alertmanager", "open", "Pool exhausted"));
    }

    [Fact]
    public void Acknowledge_WithNote_TimelineSaysWhoThroughWhatAndTheNote()
    {
        var change = IncidentStateMachine.Acknowledge(IncidentStatus.Triggered, Alice, "  looking  ").Change!;
        change.By.ShouldBe("alice");
        change.Timeline.ShouldBe(new TimelineEntry(TimelineKind.Acknowledged, "alice", "Acknowledged by alice (ui). looking"));
        change.Audit.ShouldBe(new AuditEntry("alice", "ui", "acknowledge", "  looking  "));
    }

    [Fact]
    public void Resolve_ByResponder_IsResolvedByThem()
    {
        var change = IncidentStateMachine.Resolve(IncidentStatus.Acknowledged, new Actor("bob", "api"), null).Change!;
        change.Transition.ShouldBe(IncidentTransition.Resolve);
        change.By.ShouldBe("bob");
        change.Timeline.Message.ShouldBe("Resolved by bob (api).");
        change.Audit.Action.ShouldBe("resolve");
    }

    [Fact]
    public void AlertsResolved_IsResolvedByAlertmanager()
    {
        var change = IncidentStateMachine.AlertsResolved(IncidentStatus.Triggered).Change!;
        change.By.ShouldBe("alertmanager");
        change.Timeline.ShouldBe(new TimelineEntry(TimelineKind.Resolved, "alertmanager", "Resolved: every alert of the group has resolved."));
        change.Audit.ShouldBe(new AuditEntry("alertmanager", "alertmanager", "resolve", "every alert of the group resolved"));
    }

    [Fact]
    public void Reopen_CountsTheReopenAndTheSecondsSinceTheResolve()
    {
        var change = IncidentStateMachine.Reopen(IncidentStatus.Resolved, 1, T0, T0.AddSeconds(95), ["A", "B"]).Change!;
        change.Transition.ShouldBe(IncidentTransition.Reopen);
        change.Timeline.ShouldBe(new TimelineEntry(TimelineKind.Reopened, "alertmanager", "Re-opened (reopen #2): the group fired again 95 s after it resolved (A, B)."));
        change.Audit.Detail.ShouldBe("reopen #2");
    }

    [Fact]
    public void AcknowledgementTimedOut_RetriggersAndSaysThePolicyStartsOver()
    {
        var change = IncidentStateMachine.AcknowledgementTimedOut(IncidentStatus.Acknowledged, "page", 2.5).Change!;
        change.Transition.ShouldBe(IncidentTransition.Retrigger);
        change.Timeline.ShouldBe(new TimelineEntry(TimelineKind.Retriggered, "escalation",
            "Acknowledged but not resolved within 2.5 min: triggered again; escalation 'page' starts over."));
        change.Audit.ShouldBe(new AuditEntry("escalation", "escalation", "retrigger", "acknowledgement timeout"));
    }

    [Theory]
    [MemberData(nameof(Statuses))]
    public void Joins_AnOpenIncident_Always(IncidentStatus status)
    {
        if (status == IncidentStatus.Resolved) return;
        IncidentStateMachine.Joins(status, null, T0, TimeSpan.Zero).ShouldBeTrue();
    }

    [Fact]
    public void Joins_AResolvedIncident_OnlyWithinTheReopenWindow()
    {
        var window = TimeSpan.FromHours(1);
        IncidentStateMachine.Joins(IncidentStatus.Resolved, T0, T0 + window, window).ShouldBeTrue();
        IncidentStateMachine.Joins(IncidentStatus.Resolved, T0, T0 + window + TimeSpan.FromTicks(10), window).ShouldBeFalse();
    }
}
