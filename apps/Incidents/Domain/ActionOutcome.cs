namespace Incidents.Domain;

/// <summary>Result of a responder's action.</summary>
public enum ActionOutcome
{
    /// <summary>Done now.</summary>
    Done,
    /// <summary>It was already in that state: nothing written (re-tries are harmless).</summary>
    AlreadyDone,
    /// <summary>No such incident.</summary>
    NotFound,
    /// <summary>Not allowed in the incident's state (acknowledging a resolved incident).</summary>
    Conflict,
}
