using Npgsql;

namespace Lifeguard.Postgres;

/// <summary>
/// The one query for a server's connection budget, used by the check (<see cref="PostgresServerBudget"/>), the server
/// metrics, the diagnoser's signal source and the probes: max_connections, the slots applications cannot use
/// (superuser_reserved_connections, plus reserved_connections from PostgreSQL 16 on) and the other client backends.
/// </summary>
internal static class ServerBudgetQuery
{
    // current_setting(..., true) yields NULL for a setting the server does not have (reserved_connections before 16).
    internal const string Sql = """
         SELECT current_setting('max_connections')::int,
               current_setting('superuser_reserved_connections')::int
                 + coalesce(nullif(current_setting('reserved_connections', true), '')::int, 0),
               (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid())::int,
               current_setting('server_version')
        """;

    /// <summary>Reads the budget on an open connection; <paramref name="marker"/> (a SQL comment) goes before the statement,
    /// so a reader that tells its own statements apart in pg_stat_statements can.</summary>
    public static async Task<ServerConnectionBudget> ReadAsync(NpgsqlConnection connection, CancellationToken cancellationToken, string marker = "")
    {
        await using var cmd = new NpgsqlCommand(marker + Sql, connection);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await r.ReadAsync(cancellationToken).ConfigureAwait(false);
        return new ServerConnectionBudget(r.GetInt32(0), r.GetInt32(1), r.GetInt32(2), r.GetString(3));
    }
}
