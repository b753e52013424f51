using Incidents.Domain;

namespace Incidents.Escalations;

/// <summary>A claimed delivery with what its message says about the incident (Dapper maps snake_case columns).</summary>
internal sealed class DueDelivery
{
    public long Id { get; set; }
    public long IncidentId { get; set; }
    public int Step { get; set; }
    public ChannelKind Kind { get; set; }
    public string Target { get; set; } = "";
    public string Destination { get; set; } = "";
    public int Attempts { get; set; }
    public IncidentStatus Status { get; set; }
    public string Title { get; set; } = "";
    public string Labels { get; set; } = "{}";
    public string? Diagnosis { get; set; }
    public string? Policy { get; set; }
}
