namespace Incidents.Domain;

/// <summary>The ways an incident's status changes; the repository writes each one's columns.</summary>
public enum IncidentTransition
{
    /// <summary>A group fired with no incident to join: a new one, triggered.</summary>
    Open,
    /// <summary>A responder took it: triggered to acknowledged.</summary>
    Acknowledge,
    /// <summary>A responder, or the last resolving alert, closed it.</summary>
    Resolve,
    /// <summary>Its group fired again within the reopen window: resolved to triggered.</summary>
    Reopen,
    /// <summary>The acknowledgement timed out: acknowledged to triggered.</summary>
    Retrigger,
}
