namespace Incidents.Views;

/// <summary>One audit-trail row.</summary>
public sealed record AuditView(long Id, DateTimeOffset At, string Actor, string Source, string Action, long? IncidentId, string Detail);
