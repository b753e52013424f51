using Dapper;
using Npgsql;

namespace Incidents.Data;

/// <summary>Appends timeline events inside the caller's transaction.</summary>
internal static class Timeline
{
    public static Task AddAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, long incidentId, DateTime at, string kind, string actor, string message, string? data, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition(
            "INSERT INTO timeline (incident_id, at, kind, actor, message, data) VALUES (@incidentId, @at, @kind, @actor, @message, @data::jsonb)",
            new { incidentId, at, kind, actor, message, data }, tx, cancellationToken: ct));
}
