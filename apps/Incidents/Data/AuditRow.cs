namespace Incidents.Data;

/// <summary>One row of <c>audit_log</c>.</summary>
internal sealed class AuditRow
{
    public long Id { get; set; }
    public DateTime At { get; set; }
    public string Actor { get; set; } = "";
    public string Source { get; set; } = "";
    public string Action { get; set; } = "";
    public long? IncidentId { get; set; }
    public string Detail { get; set; } = "";
}
