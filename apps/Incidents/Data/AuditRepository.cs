using Incidents.Domain;

namespace Incidents.Data;

/// <summary>Appends to the audit trail inside the session's transaction, so an action and its record commit together.</summary>
public sealed class AuditRepository
{
    private readonly IncidentsSession _s;

    internal AuditRepository(IncidentsSession session) => _s = session;

    /// <summary>Appends one row.</summary>
    public Task AddAsync(DateTime at, AuditEntry entry, long? incidentId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return Audit.AddAsync(_s.Connection, _s.Transaction, at, entry.Actor, entry.Source, entry.Action, incidentId, entry.Detail, ct);
    }
}
