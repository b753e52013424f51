using Incidents.Domain;

namespace Incidents.Escalations;

/// <summary>A claimed escalation row with its incident's status (Dapper maps snake_case columns).</summary>
internal sealed class DueEscalation
{
    public long IncidentId { get; set; }
    public string Policy { get; set; } = "";
    public string Snapshot { get; set; } = "";
    public int Run { get; set; }
    public EscalationState State { get; set; }
    public int NextStep { get; set; }
    public string Repeats { get; set; } = "{}";
    public IncidentStatus Status { get; set; }
}
