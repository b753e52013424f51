using Incidents.Domain;

namespace Incidents.Data;

/// <summary>One row of <c>incident_alerts</c>.</summary>
internal sealed class AlertRow
{
    public long IncidentId { get; set; }
    public string Fingerprint { get; set; } = "";
    public AlertStatus Status { get; set; }
    public DateTime StartsAt { get; set; }
    public DateTime? EndsAt { get; set; }
    public string Labels { get; set; } = "{}";
    public string Annotations { get; set; } = "{}";
    public string? GeneratorUrl { get; set; }
}
