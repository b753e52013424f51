namespace Incidents.Domain;

/// <summary>Where one notification to one destination stands.</summary>
public enum DeliveryStatus
{
    /// <summary>Waiting to be sent (or retried).</summary>
    Pending,

    /// <summary>The receiver took it.</summary>
    Sent,

    /// <summary>Given up after the attempts ran out.</summary>
    Failed,

    /// <summary>Not sent: the incident resolved first.</summary>
    Cancelled,
}
