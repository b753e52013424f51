using Dapper;
using Npgsql;

namespace Lifeguard.Postgres;

/// <summary>Asks a PostgreSQL server for its connection budget: max_connections, reserved slots, other clients.</summary>
public static class PostgresServerBudget
{
    /// <summary>Connects once (outside any pool) and reads the budget.</summary>
    public static async Task<ServerConnectionBudget> QueryAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        // Pooling off: this check must not leave an idle connection behind that it would then count.
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, ApplicationName = "lifeguard check" };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        // reserved_connections exists from PostgreSQL 16 on; current_setting(..., true) yields NULL before that.
        const string sql = """
            SELECT current_setting('max_connections')::int AS max_connections,
                   current_setting('superuser_reserved_connections')::int
                     + coalesce(nullif(current_setting('reserved_connections', true), '')::int, 0) AS reserved,
                   (SELECT count(*) FROM pg_stat_activity
                     WHERE backend_type = 'client backend' AND pid <> pg_backend_pid())::int AS others,
                   current_setting('server_version') AS version
            """;
        var row = await connection.QuerySingleAsync<(int MaxConnections, int Reserved, int Others, string Version)>(
            new CommandDefinition(sql, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return new ServerConnectionBudget(row.MaxConnections, row.Reserved, row.Others, row.Version);
    }
}
