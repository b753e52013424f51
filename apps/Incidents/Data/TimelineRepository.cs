using Dapper;
using Incidents.Domain;

namespace Incidents.Data;

/// <summary>Appends timeline events inside the session's transaction.</summary>
public sealed class TimelineRepository
{
    private readonly IncidentsSession _s;

    internal TimelineRepository(IncidentsSession session) => _s = session;

    /// <summary>Appends one entry at <paramref name="at"/>.</summary>
    public Task AddAsync(long incidentId, DateTime at, TimelineEntry entry, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return _s.Connection.ExecuteAsync(_s.Command(
            "INSERT INTO timeline (incident_id, at, kind, actor, message, data) VALUES (@incidentId, @at, @kind, @actor, @message, @data::jsonb)",
            new { incidentId, at, kind = entry.Kind, actor = entry.Actor, message = entry.Message, data = entry.Data }, ct));
    }

    /// <summary>Appends one entry at <paramref name="at"/>.</summary>
    public Task AddAsync(long incidentId, DateTime at, string kind, string actor, string message, CancellationToken ct) =>
        AddAsync(incidentId, at, new TimelineEntry(kind, actor, message), ct);
}
