namespace Incidents.Escalations;

/// <summary>What one step of an escalation policy does.</summary>
public enum StepKind
{
    /// <summary>E-mail a user named in the file.</summary>
    NotifyUser,
    /// <summary>E-mail whoever is on call for a schedule when the step runs.</summary>
    NotifySchedule,
    /// <summary>Send to a channel (webhook, Slack, e-mail).</summary>
    NotifyChannel,
    /// <summary>Wait N minutes before the next step.</summary>
    Wait,
    /// <summary>Go back to an earlier step, at most N times.</summary>
    Repeat,
}
