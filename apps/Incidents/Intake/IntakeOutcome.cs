namespace Incidents.Intake;

/// <summary>What one webhook did.</summary>
public enum IntakeOutcome
{
    /// <summary>A new incident.</summary>
    Opened,
    /// <summary>Alerts joined or resolved on an open incident.</summary>
    Updated,
    /// <summary>A recently resolved incident fired again.</summary>
    Reopened,
    /// <summary>The last firing alert resolved; so did the incident.</summary>
    Resolved,
    /// <summary>A re-send or retry: nothing new.</summary>
    Unchanged,
    /// <summary>Nothing firing and no incident to attach it to.</summary>
    Ignored,
}
