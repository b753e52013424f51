using Lifeguard.Fleet;
using Npgsql;

namespace Lifeguard.Postgres.Fleet;

/// <summary>
/// One instance's seat in the fleet registry (lifeguard.fleet_instances in the application's database), on one dedicated
/// connection of its own (never from the pool, so it still heartbeats when the pool or the server's slots are used up).
/// A heartbeat is one transaction under the fleet's advisory lock: expired rows deleted, the live rows and the server's
/// slots per Application Name read, an optional step (the governor's) deciding what to write, this instance's row
/// upserted. Not thread-safe: one caller (the fleet service) at a time.
/// </summary>
internal sealed class FleetRegistry : IAsyncDisposable
{
    /// <summary>Leads every registry statement: the diagnoser's statement baseline and the query review leave them out (a
    /// heartbeat waiting on the fleet's lock is not the application's statement getting slower).</summary>
    public const string Marker = "/* lifeguard-fleet */";

    // One round trip: the fleet's lock, the live rows (expired ones deleted on the way: they left the fleet), every
    // client backend's slot by Application Name (the registry's own included), and the slots applications may use.
    private static readonly string[] ReadSql =
    [
        $"{Marker} SELECT pg_advisory_xact_lock({FleetSchema.LockKey})",
        Marker + """
        WITH gone AS (DELETE FROM lifeguard.fleet_instances WHERE heartbeat_at < now() - $1::interval RETURNING 1)
        SELECT service, instance, pool_max, in_use, waiting, wait_p99_ms, refused, cause, started_at, heartbeat_at, cap, claim, wanted,
               (SELECT count(*) FROM gone)
          FROM lifeguard.fleet_instances WHERE heartbeat_at >= now() - $1::interval
        """,
        Marker + " SELECT coalesce(application_name, ''), count(*)::int FROM pg_stat_activity WHERE backend_type = 'client backend' GROUP BY 1",
        Marker + """
        SELECT current_setting('max_connections')::int
                 - current_setting('superuser_reserved_connections')::int
                 - coalesce(nullif(current_setting('reserved_connections', true), '')::int, 0),
               now()
        """,
    ];

    private const string UpsertSql = Marker + """
        INSERT INTO lifeguard.fleet_instances AS f (service, instance, pool_max, in_use, waiting, wait_p99_ms, refused, cause, cap, claim, wanted, started_at, heartbeat_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, now(), now())
        ON CONFLICT (service, instance) DO UPDATE SET pool_max = excluded.pool_max, in_use = excluded.in_use, waiting = excluded.waiting,
            wait_p99_ms = excluded.wait_p99_ms, refused = excluded.refused, cause = excluded.cause, cap = excluded.cap,
            claim = excluded.claim, wanted = excluded.wanted, heartbeat_at = now()
        RETURNING started_at, heartbeat_at
        """;

    private readonly string _connectionString;
    private readonly LifeguardIdentity _identity;
    private readonly TimeSpan _expiry;
    private NpgsqlConnection? _connection;

    /// <summary>The application name of the registry's own connection.</summary>
    public const string ApplicationName = "lifeguard-fleet";

    public FleetRegistry(string connectionString, LifeguardIdentity identity, TimeSpan expiry)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentNullException.ThrowIfNull(identity);
        _connectionString = new NpgsqlConnectionStringBuilder(connectionString)
        {
            Pooling = false,
            ApplicationName = ApplicationName,
            Timeout = 5,
            CommandTimeout = 5,
            // A heartbeat must never wait behind the application's locks or run long.
            Options = "-c statement_timeout=5000 -c lock_timeout=1000 -c idle_in_transaction_session_timeout=10000",
            KeepAlive = 5,
        }.ConnectionString;
        _identity = identity;
        _expiry = expiry;
    }

    /// <summary>Creates or updates the schema (42501 when the role may not).</summary>
    public async Task<IReadOnlyList<int>> MigrateAsync(CancellationToken ct) =>
        await FleetSchema.MigrateAsync(await OpenAsync(ct).ConfigureAwait(false), ct).ConfigureAwait(false);

    /// <summary>Writes this instance's row and returns the fleet as read in the same transaction (this row included).
    /// <paramref name="step"/>, when given, runs under the fleet's lock with the live rows read before this instance's
    /// write (its own previous row included, if any) and returns what to write instead: the governor's cap and claim.</summary>
    public async Task<FleetSignals> HeartbeatAsync(FleetHeartbeat beat, Func<FleetSignals, FleetHeartbeat, FleetHeartbeat>? step, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(beat);
        var c = await OpenAsync(ct).ConfigureAwait(false);
        try
        {
            await using var tx = await c.BeginTransactionAsync(ct).ConfigureAwait(false);
            var (rows, slots, usable, now) = await ReadAsync(c, tx, ct).ConfigureAwait(false);
            var before = Signals(rows, slots, usable, now);
            if (step is not null) beat = step(before, beat);
            await using var upsert = new NpgsqlCommand(UpsertSql, c, tx);
            foreach (var value in new object?[] { _identity.Service, _identity.Instance, beat.PoolMax, beat.InUse, beat.Waiting, beat.WaitP99Ms, beat.Refused, beat.Cause, beat.Cap, beat.Claim, beat.Wanted })
                upsert.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
            DateTimeOffset started, at;
            await using (var r = await upsert.ExecuteReaderAsync(ct).ConfigureAwait(false))
            {
                await r.ReadAsync(ct).ConfigureAwait(false);
                started = r.GetFieldValue<DateTimeOffset>(0);
                at = r.GetFieldValue<DateTimeOffset>(1);
            }
            await tx.CommitAsync(ct).ConfigureAwait(false);
            rows.RemoveAll(i => i.Service == _identity.Service && i.Instance == _identity.Instance);
            rows.Add(new FleetInstance
            {
                Service = _identity.Service, Instance = _identity.Instance, PoolMax = beat.PoolMax, InUse = beat.InUse, Waiting = beat.Waiting,
                WaitP99Ms = beat.WaitP99Ms, Refused = beat.Refused, Cause = beat.Cause, StartedAt = started, HeartbeatAt = at,
                Cap = beat.Cap, Claim = beat.Claim, Wanted = beat.Wanted,
            });
            return Signals(rows, slots, usable, now);
        }
        catch
        {
            await DropAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Removes this instance's row: it leaves the fleet at once (a graceful stop).</summary>
    public async Task LeaveAsync(CancellationToken ct)
    {
        var c = await OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand(Marker + " DELETE FROM lifeguard.fleet_instances WHERE service = $1 AND instance = $2", c);
        cmd.Parameters.Add(new() { Value = _identity.Service });
        cmd.Parameters.Add(new() { Value = _identity.Instance });
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>The fleet as registered in the database behind <paramref name="connectionString"/>, read without joining it
    /// (lifeguard diagnose --fleet): live rows only.</summary>
    public static async Task<FleetSignals> ReadFleetAsync(string connectionString, TimeSpan expiry, CancellationToken ct)
    {
        var cs = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, ApplicationName = ApplicationName }.ConnectionString;
        await using var c = new NpgsqlConnection(cs);
        await c.OpenAsync(ct).ConfigureAwait(false);
        await using var tx = await c.BeginTransactionAsync(ct).ConfigureAwait(false);
        var (rows, slots, usable, now) = await ReadAsync(c, tx, ct, expiry).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return Signals(rows, slots, usable, now, self: "");
    }

    public async ValueTask DisposeAsync() => await DropAsync().ConfigureAwait(false);

    private Task<(List<FleetInstance>, Dictionary<string, int>, int, DateTimeOffset)> ReadAsync(NpgsqlConnection c, NpgsqlTransaction tx, CancellationToken ct) =>
        ReadAsync(c, tx, ct, _expiry);

    private static async Task<(List<FleetInstance>, Dictionary<string, int>, int, DateTimeOffset)> ReadAsync(NpgsqlConnection c, NpgsqlTransaction tx,
        CancellationToken ct, TimeSpan expiry)
    {
        await using var batch = new NpgsqlBatch(c, tx);
        foreach (var sql in ReadSql) batch.BatchCommands.Add(new NpgsqlBatchCommand(sql));
        batch.BatchCommands[1].Parameters.Add(new() { Value = expiry });
        await using var r = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await r.NextResultAsync(ct).ConfigureAwait(false); // past the lock
        var rows = new List<FleetInstance>();
        while (await r.ReadAsync(ct).ConfigureAwait(false))
        {
            rows.Add(new FleetInstance
            {
                Service = r.GetString(0), Instance = r.GetString(1), PoolMax = r.GetInt32(2), InUse = r.GetInt32(3), Waiting = r.GetInt32(4),
                WaitP99Ms = r.GetDouble(5), Refused = r.GetInt32(6), Cause = r.IsDBNull(7) ? null : r.GetString(7),
                StartedAt = r.GetFieldValue<DateTimeOffset>(8), HeartbeatAt = r.GetFieldValue<DateTimeOffset>(9),
                Cap = r.IsDBNull(10) ? null : r.GetInt32(10), Claim = r.IsDBNull(11) ? null : r.GetInt32(11), Wanted = r.IsDBNull(12) ? null : r.GetInt32(12),
            });
        }
        await r.NextResultAsync(ct).ConfigureAwait(false);
        var slots = new Dictionary<string, int>(StringComparer.Ordinal);
        while (await r.ReadAsync(ct).ConfigureAwait(false)) slots[r.GetString(0)] = r.GetInt32(1);
        await r.NextResultAsync(ct).ConfigureAwait(false);
        await r.ReadAsync(ct).ConfigureAwait(false);
        return (rows, slots, r.GetInt32(0), r.GetFieldValue<DateTimeOffset>(1));
    }

    private FleetSignals Signals(List<FleetInstance> rows, Dictionary<string, int> slots, int usable, DateTimeOffset now) =>
        Signals(rows, slots, usable, now, _identity.ApplicationName);

    private static FleetSignals Signals(List<FleetInstance> rows, Dictionary<string, int> slots, int usable, DateTimeOffset now, string self)
    {
        var live = rows.Select(i => i with { SlotsHeld = slots.GetValueOrDefault(i.ApplicationName) })
            .OrderByDescending(i => i.SlotsHeld).ThenBy(i => i.ApplicationName, StringComparer.Ordinal).ToList();
        return new FleetSignals { Self = self, At = now, Instances = live, Budget = FleetBudget.Of(usable, slots.Values.Sum(), live) };
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken ct)
    {
        if (_connection is { State: System.Data.ConnectionState.Open } open) return open;
        await DropAsync().ConfigureAwait(false);
        var c = new NpgsqlConnection(_connectionString);
        try
        {
            await c.OpenAsync(ct).ConfigureAwait(false);
        }
        catch
        {
            await c.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return _connection = c;
    }

    private async Task DropAsync()
    {
        if (_connection is { } c)
        {
            _connection = null;
            await c.DisposeAsync().ConfigureAwait(false);
        }
    }
}
