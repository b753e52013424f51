using Incidents.Domain;

namespace Incidents.Data;

/// <summary>One row of <c>incidents</c> (Dapper maps snake_case columns).</summary>
internal sealed class IncidentRow
{
    public long Id { get; set; }
    public string GroupKey { get; set; } = "";
    public IncidentStatus Status { get; set; }
    public string Title { get; set; } = "";
    public string Receiver { get; set; } = "";
    public string Labels { get; set; } = "{}";
    public string Annotations { get; set; } = "{}";
    public DateTime FaultStartedAt { get; set; }
    public DateTime? OnsetAt { get; set; }
    public DateTime OpenedAt { get; set; }
    public DateTime? AcknowledgedAt { get; set; }
    public string? AcknowledgedBy { get; set; }
    public DateTime? ResolvedAt { get; set; }
    public string? ResolvedBy { get; set; }
    public int ReopenCount { get; set; }
    public int TruncatedAlerts { get; set; }

    /// <summary>Alerts of the group beyond Incidents:Intake:MaxAlertsPerIncident: counted, not stored.</summary>
    public int AlertsOverflow { get; set; }
    public string? Diagnosis { get; set; }
    public EvidenceState EvidenceState { get; set; }
    public string? EvidenceUrl { get; set; }
    public int EvidenceAttempts { get; set; }
    public DateTime UpdatedAt { get; set; }
}
