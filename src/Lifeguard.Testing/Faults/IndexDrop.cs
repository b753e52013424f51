using Npgsql;

namespace Lifeguard.Testing.Faults;

/// <summary>
/// The dashboard's index dropped (as a careless migration would): every dashboard statement then scans the table.
/// <see cref="RebuildAsync"/> builds it again (CONCURRENTLY, so the running site is not locked out); dispose does it too
/// if the drill did not get that far, so a failed drill never leaves the database without it.
/// </summary>
public sealed class IndexDrop(string connectionString, string indexName, string definition) : IFaultInjector
{
    private bool _dropped;

    /// <inheritdoc/>
    public string Description => $"index {indexName} dropped ({definition})";

    /// <inheritdoc/>
    public async Task InjectAsync(CancellationToken cancellationToken)
    {
        var ct = cancellationToken;
        await ExecAsync($"DROP INDEX IF EXISTS {indexName}", ct).ConfigureAwait(false);
        _dropped = true;
    }

    /// <summary>Builds the dropped index again; returns the statement run.</summary>
    public async Task<string> RebuildAsync(CancellationToken cancellationToken)
    {
        var ct = cancellationToken;
        var sql = $"CREATE INDEX CONCURRENTLY IF NOT EXISTS {indexName} ON {definition}";
        await ExecAsync(sql, ct).ConfigureAwait(false);
        await ExecAsync("ANALYZE " + definition.Split(' ', 2)[0], ct).ConfigureAwait(false);
        _dropped = false;
        return sql;
    }

    private async Task ExecAsync(string sql, CancellationToken ct)
    {
        await using var c = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, ApplicationName = "lifeguard-drill", CommandTimeout = 300 }.ConnectionString);
        await c.OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand(sql, c);
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Undoes the fault: whatever it holds is released.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_dropped) await RebuildAsync(CancellationToken.None).ConfigureAwait(false);
    }
}
