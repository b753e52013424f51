using Npgsql;

namespace Lifeguard.Testing.Faults;

/// <summary>
/// The lock queue as it happens in production: a session opens a transaction, reads the table and sits idle in
/// transaction (holding ACCESS SHARE), then a migration's ALTER TABLE asks for ACCESS EXCLUSIVE and queues behind it —
/// and every later reader of the table queues behind the ALTER. Ending the idle session (the root blocker) lets the
/// ALTER through; it runs in a transaction that is rolled back, so the schema is unchanged afterwards.
/// </summary>
public sealed class LockHolder(string connectionString, string table) : IFaultInjector
{
    /// <summary>The idle transaction's application_name: the root blocker.</summary>
    public const string HolderApplication = "lifeguard-drill-idle-tx";
    /// <summary>The queued ALTER TABLE's application_name.</summary>
    public const string MigrationApplication = "lifeguard-drill-migration";
    private NpgsqlConnection? _holder;
    private NpgsqlConnection? _migration;
    private Task? _alter;

    /// <inheritdoc/>
    public string Description => $"a session of '{HolderApplication}' idle in transaction after reading {table}, and an ALTER TABLE {table} ('{MigrationApplication}') queued behind it";

    /// <summary>The holder's server pid: what pg_terminate_backend must be given to end the queue.</summary>
    public int HolderPid { get; private set; }

    /// <inheritdoc/>
    public async Task InjectAsync(CancellationToken cancellationToken)
    {
        var ct = cancellationToken;
        _holder = await Open(HolderApplication, ct).ConfigureAwait(false);
        HolderPid = _holder.ProcessID;
        await using (var read = new NpgsqlCommand($"BEGIN; SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT 1) x", _holder))
            await read.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        _migration = await Open(MigrationApplication, ct).ConfigureAwait(false);
        var alter = new NpgsqlCommand($"BEGIN; SET LOCAL lock_timeout = 0; ALTER TABLE {table} ADD COLUMN drill_migration integer; ROLLBACK", _migration) { CommandTimeout = 0 };
        _alter = RunAndDispose(alter);
        // In effect once the ALTER waits on the holder's lock.
        await using var checker = await Open("lifeguard-drill-check", ct).ConfigureAwait(false);
        for (var i = 0; i < 50; i++)
        {
            await using var check = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'", checker);
            check.Parameters.Add(new NpgsqlParameter { Value = MigrationApplication });
            if ((long)(await check.ExecuteScalarAsync(ct).ConfigureAwait(false))! > 0) return;
            await Task.Delay(100, ct).ConfigureAwait(false);
        }

        throw new InvalidOperationException("the migration's ALTER TABLE did not queue behind the idle transaction");
    }

    private static async Task RunAndDispose(NpgsqlCommand command)
    {
        try
        {
            await using var _ = command;
            await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or ObjectDisposedException)
        {
            // Ended by the drill's cleanup.
        }
    }

    private async Task<NpgsqlConnection> Open(string application, CancellationToken ct)
    {
        var c = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, ApplicationName = application }.ConnectionString);
        await c.OpenAsync(ct).ConfigureAwait(false);
        return c;
    }

    /// <summary>Undoes the fault: whatever it holds is released.</summary>
    public async ValueTask DisposeAsync()
    {
        // Closing the holder (if the mitigation has not ended it) releases the queue; the ALTER then rolls back.
        if (_holder is not null) await _holder.DisposeAsync().ConfigureAwait(false);
        if (_alter is not null) await Task.WhenAny(_alter, Task.Delay(TimeSpan.FromSeconds(10))).ConfigureAwait(false);
        if (_migration is not null) await _migration.DisposeAsync().ConfigureAwait(false);
    }
}
