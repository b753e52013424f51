namespace Incidents.Escalations;

/// <summary>An ordered chain of steps, and how long an acknowledgement holds before the incident is triggered again.</summary>
/// <param name="Name">The policy's name in the file.</param>
/// <param name="AckTimeoutMinutes">Minutes after an acknowledgement at which an unresolved incident goes back to triggered; null: never.</param>
/// <param name="Steps">The steps, in order.</param>
public sealed record EscalationPolicy(string Name, double? AckTimeoutMinutes, IReadOnlyList<EscalationStep> Steps);
