namespace Incidents.Domain;

/// <summary>What <see cref="IncidentStateMachine"/> answers to an event: the outcome, and the change to write when it is <see cref="ActionOutcome.Done"/>.</summary>
/// <param name="Outcome">Done, already done, or not allowed.</param>
/// <param name="Change">The change to write; null unless Done.</param>
public sealed record IncidentDecision(ActionOutcome Outcome, IncidentChange? Change)
{
    /// <summary>Nothing to write: already in that state.</summary>
    public static IncidentDecision AlreadyDone { get; } = new(ActionOutcome.AlreadyDone, null);

    /// <summary>Nothing to write: not allowed in the current status.</summary>
    public static IncidentDecision Conflict { get; } = new(ActionOutcome.Conflict, null);
}
