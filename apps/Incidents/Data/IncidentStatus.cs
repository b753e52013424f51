namespace Incidents.Data;

/// <summary>The incident state machine's states (API values).</summary>
public static class IncidentStatus
{
    /// <summary>Open, nobody has acknowledged it.</summary>
    public const string Triggered = "triggered";

    /// <summary>Open, a responder owns it.</summary>
    public const string Acknowledged = "acknowledged";

    /// <summary>Closed: every alert resolved, or a responder resolved it.</summary>
    public const string Resolved = "resolved";
}
