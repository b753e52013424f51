namespace Incidents.Escalations;

/// <summary>What a message says about an incident (rendered per channel by <see cref="MessageTemplate"/>).</summary>
/// <param name="IncidentId">The incident.</param>
/// <param name="Title">Its title.</param>
/// <param name="Status">triggered, acknowledged or resolved.</param>
/// <param name="Labels">Its labels.</param>
/// <param name="Policy">The escalation policy notifying.</param>
/// <param name="Step">The 1-based step notifying.</param>
/// <param name="Cause">The diagnosis's cause, when evidence arrived.</param>
/// <param name="Summary">The diagnosis's summary.</param>
/// <param name="Remedy">What to do first.</param>
/// <param name="IncidentUrl">The incident's page, where it is acknowledged.</param>
/// <param name="DeliveryKey">The same for every attempt of one delivery (the Idempotency-Key header, the e-mail's Message-ID): a replica
/// that dies after sending and before recording it makes the next one send it again, and the receiver can tell.</param>
public sealed record Notification(long IncidentId, string Title, string Status, IReadOnlyDictionary<string, string> Labels, string Policy, int Step,
    string? Cause, string? Summary, string? Remedy, Uri IncidentUrl, string? DeliveryKey = null);
