using System.Data.Common;
using Dapper;

namespace Incidents.Data;

/// <summary>Appends to the audit trail inside the caller's transaction, so an action and its record commit together (the SQL behind <see cref="AuditRepository"/>; the login page calls it directly).</summary>
internal static class Audit
{
    public static Task AddAsync(DbConnection conn, DbTransaction? tx, DateTime at, string actor, string source, string action, long? incidentId, string detail, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition(
            "INSERT INTO audit_log (at, actor, source, action, incident_id, detail) VALUES (@at, @actor, @source, @action, @incidentId, @detail)",
            new { at, actor, source, action, incidentId, detail = detail.Length > 1000 ? detail[..1000] : detail }, tx, cancellationToken: ct));
}
