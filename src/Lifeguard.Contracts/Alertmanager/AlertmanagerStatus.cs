namespace Lifeguard.Contracts.Alertmanager;

/// <summary>The status words Alertmanager writes on a body and on each alert.</summary>
public static class AlertmanagerStatus
{
    /// <summary>Firing (a group: any of its alerts fires).</summary>
    public const string Firing = "firing";

    /// <summary>Resolved (a group: every alert resolved).</summary>
    public const string Resolved = "resolved";
}
