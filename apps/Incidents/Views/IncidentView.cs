using System.Text.Json;

namespace Incidents.Views;

/// <summary>An incident as the API returns it (snake_case); <see cref="Timeline"/> and <see cref="Alerts"/> only for one incident.</summary>
public sealed record IncidentView(
    long Id,
    string Status,
    string Title,
    string GroupKey,
    string Receiver,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Annotations,
    DateTimeOffset FaultStartedAt,
    DateTimeOffset? OnsetAt,
    DateTimeOffset OpenedAt,
    DateTimeOffset? AcknowledgedAt,
    string? AcknowledgedBy,
    DateTimeOffset? ResolvedAt,
    string? ResolvedBy,
    double? MttdS,
    double? MttaS,
    double? MttrS,
    int ReopenCount,
    int TruncatedAlerts,
    string EvidenceState,
    JsonElement? Diagnosis,
    IReadOnlyList<AlertView>? Alerts,
    IReadOnlyList<TimelineView>? Timeline)
{
    /// <summary>All the incident's alerts (only for one incident); <see cref="Alerts"/> holds at most the newest 100, the rest are paged at /api/incidents/{id}/alerts.</summary>
    public long? AlertsTotal { get; init; }

    /// <summary>All its timeline entries (only for one incident); <see cref="Timeline"/> holds at most the newest 500, the rest at /api/incidents/{id}/timeline.</summary>
    public long? TimelineTotal { get; init; }
}
