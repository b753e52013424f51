using Npgsql;

namespace Lifeguard.Postgres.Activity;

/// <summary>
/// The database side of a load test's timeline, read on one connection of its own (pooling off, never the
/// application's pool): the connection budget, the database's active and total client backends, and the CPU the
/// cluster's processes use (from /proc, when the server runs on this host).
/// </summary>
public sealed class PostgresActivityProbe : IAsyncDisposable
{
    private const string ActivitySql = """
        SELECT count(*) FILTER (WHERE state = 'active')::int, count(*)::int
          FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
        """;
    private const string ClusterPidsSql = "SELECT pid FROM pg_stat_activity";

    private readonly NpgsqlConnection _connection;
    private readonly TimeProvider _time;
    private readonly PostgresProcessCpu? _cpu;

    private PostgresActivityProbe(NpgsqlConnection connection, TimeProvider time, bool local)
    {
        _connection = connection;
        _time = time;
        _cpu = local ? new PostgresProcessCpu() : null;
    }

    /// <summary>Opens the probe's connection to the server behind <paramref name="connectionString"/>, under
    /// <paramref name="applicationName"/> so its session is told apart in pg_stat_activity.</summary>
    public static async Task<PostgresActivityProbe> OpenAsync(string connectionString, string applicationName, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentException.ThrowIfNullOrWhiteSpace(applicationName);
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, ApplicationName = applicationName };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return new PostgresActivityProbe(connection, time ?? TimeProvider.System, PostgresProcessCpu.IsLocal(builder.Host));
    }

    /// <summary>The server's connection budget (the same query as <see cref="PostgresServerBudget"/>).</summary>
    public Task<ServerConnectionBudget> ReadBudgetAsync(CancellationToken cancellationToken = default) =>
        ServerBudgetQuery.ReadAsync(_connection, cancellationToken);

    /// <summary>Active and total client backends of the database now, and the cluster's CPU since the previous reading.</summary>
    public async Task<PostgresActivityReading> ReadAsync(CancellationToken cancellationToken = default)
    {
        int active, total;
        await using (var cmd = new NpgsqlCommand(ActivitySql, _connection))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            await r.ReadAsync(cancellationToken).ConfigureAwait(false);
            active = r.GetInt32(0);
            total = r.GetInt32(1);
        }
        if (_cpu is null) return new PostgresActivityReading(active, total, null);

        // Every process of this cluster, not only this database's: on a shared host other clusters' postgres processes
        // would otherwise count as this database's CPU, and this cluster's workers would not.
        var pids = new List<int>();
        await using (var cmd = new NpgsqlCommand(ClusterPidsSql, _connection))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false)) pids.Add(r.GetInt32(0));
        }
        return new PostgresActivityReading(active, total, _cpu.Sample(pids, _time.GetTimestamp(), _time.TimestampFrequency));
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
