namespace Incidents.Escalations;

/// <summary>How often a schedule hands off.</summary>
public enum Rotation
{
    /// <summary>Every day at the hand-off time.</summary>
    Daily,
    /// <summary>Every seven days at the hand-off time, on the start date's weekday.</summary>
    Weekly,
}
