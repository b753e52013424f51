namespace Incidents.Intake;

/// <summary>The incident a webhook landed on (if any) and what it did to it.</summary>
public sealed record IntakeResult(IntakeOutcome Outcome, long? IncidentId);
