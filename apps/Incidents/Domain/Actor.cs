namespace Incidents.Domain;

/// <summary>Who acts and through what (ui, api), for the timeline and the audit trail.</summary>
public sealed record Actor(string Name, string Source);
