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
        return await ServerBudgetQuery.ReadAsync(connection, cancellationToken).ConfigureAwait(false);
    }
}
