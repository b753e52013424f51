namespace Incidents.Domain;

/// <summary>Kinds of timeline events; escalation adds its own.</summary>
public static class TimelineKind
{
    /// <summary>The incident opened.</summary>
    public const string Opened = "opened";
    /// <summary>An alert of the group started firing (joined, or fired again).</summary>
    public const string AlertFiring = "alert_firing";
    /// <summary>An alert of the group resolved.</summary>
    public const string AlertResolved = "alert_resolved";
    /// <summary>Alertmanager left alerts out of the body (max_alerts).</summary>
    public const string Truncated = "truncated";
    /// <summary>The guarded app's live diagnosis, fetched when the incident opened.</summary>
    public const string Evidence = "evidence";
    /// <summary>The diagnosis could not be fetched.</summary>
    public const string EvidenceFailed = "evidence_failed";
    /// <summary>A responder acknowledged it.</summary>
    public const string Acknowledged = "acknowledged";
    /// <summary>A responder wrote a note.</summary>
    public const string Note = "note";
    /// <summary>Resolved (by Alertmanager or a responder).</summary>
    public const string Resolved = "resolved";
    /// <summary>The group fired again within the reopen window.</summary>
    public const string Reopened = "reopened";
    /// <summary>Escalation started (or restarted) with a policy.</summary>
    public const string EscalationStarted = "escalation_started";
    /// <summary>An escalation step was taken.</summary>
    public const string EscalationStep = "escalation_step";
    /// <summary>An escalation step was skipped (nobody on call, repeats used up).</summary>
    public const string EscalationSkipped = "escalation_skipped";
    /// <summary>An escalation step could not be taken.</summary>
    public const string EscalationFailed = "escalation_failed";
    /// <summary>Escalation paused (acknowledged), stopped (resolved) or ran out of steps.</summary>
    public const string EscalationStopped = "escalation_stopped";
    /// <summary>The acknowledgement timed out: the incident is triggered again.</summary>
    public const string Retriggered = "retriggered";
    /// <summary>A notification was delivered.</summary>
    public const string DeliverySent = "delivery_sent";
    /// <summary>A notification attempt failed (retried, or given up).</summary>
    public const string DeliveryFailed = "delivery_failed";
}
