namespace Incidents.Data;

/// <summary>What intake stores for a new incident.</summary>
/// <param name="GroupKey">Alertmanager's group.</param>
/// <param name="Title">The title.</param>
/// <param name="Receiver">Alertmanager's receiver.</param>
/// <param name="Labels">The group's labels as JSON.</param>
/// <param name="Annotations">The group's annotations as JSON.</param>
/// <param name="FaultStartedAt">The earliest startsAt of its firing alerts.</param>
/// <param name="EvidenceUrl">Where its evidence is fetched, when a target is configured for it.</param>
internal sealed record NewIncident(string GroupKey, string Title, string Receiver, string Labels, string Annotations, DateTime FaultStartedAt, Uri? EvidenceUrl);
