namespace Incidents.Data;

/// <summary>One row of <c>timeline</c>.</summary>
internal sealed class TimelineRow
{
    public long Id { get; set; }
    public long IncidentId { get; set; }
    public DateTime At { get; set; }
    public string Kind { get; set; } = "";
    public string Actor { get; set; } = "";
    public string Message { get; set; } = "";
    public string? Data { get; set; }
}
