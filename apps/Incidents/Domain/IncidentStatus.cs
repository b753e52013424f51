namespace Incidents.Domain;

/// <summary>Where an incident is in its life (<see cref="IncidentStateMachine"/> moves it; <see cref="Data.SqlNames"/> names it).</summary>
public enum IncidentStatus
{
    /// <summary>Open, nobody has acknowledged it.</summary>
    Triggered,

    /// <summary>Open, a responder owns it.</summary>
    Acknowledged,

    /// <summary>Closed: every alert resolved, or a responder resolved it.</summary>
    Resolved,
}
