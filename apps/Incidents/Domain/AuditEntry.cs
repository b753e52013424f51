namespace Incidents.Domain;

/// <summary>One audit-trail row to append.</summary>
/// <param name="Actor">Who.</param>
/// <param name="Source">Through what (ui, api, alertmanager, escalation).</param>
/// <param name="Action">What (open, acknowledge, resolve, reopen, retrigger, note).</param>
/// <param name="Detail">Free text, cut to 1000 characters when stored.</param>
public sealed record AuditEntry(string Actor, string Source, string Action, string Detail);
