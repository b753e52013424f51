namespace Incidents.Views;

/// <summary>An incident's escalation (API snake_case): the policy snapshotted for it, where it is, when its next step is due, and every delivery.</summary>
public sealed record EscalationView(
    string Policy,
    string State,
    int Run,
    int NextStep,
    DateTimeOffset? DueAt,
    double? AckTimeoutMinutes,
    IReadOnlyList<string> Steps,
    IReadOnlyList<DeliveryView> Deliveries);
