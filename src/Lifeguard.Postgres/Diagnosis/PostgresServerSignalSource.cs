using System.Diagnostics;
using System.Globalization;
using Lifeguard.Diagnosis;
using Lifeguard.Postgres.Activity;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Lifeguard.Postgres.Diagnosis;

/// <summary>
/// Reads PostgreSQL's side of a diagnosis on one dedicated connection that is not from the application's pool (so it
/// still answers when the pool or the server's slots are exhausted): opened at the first sample, kept open, reopened with
/// backoff after the server comes back. Every statement carries the comment <c>lifeguard-diagnoser</c> so its cost can
/// be read back from pg_stat_statements.
/// </summary>
public sealed partial class PostgresServerSignalSource : IServerSignalSource, IAsyncDisposable
{
    /// <summary>The marker in every statement the diagnoser runs.</summary>
    public const string Marker = "/* lifeguard-diagnoser */";

    private const string RoundTripSql = Marker + " SELECT 1";
    // Read at each connect, after the budget (ServerBudgetQuery, the one budget query): a restart shows as a new start time.
    private const string ServerSql = Marker + """
         SELECT pg_postmaster_start_time(), to_regclass('pg_stat_statements') IS NOT NULL
        """;
    // Every backend but this one: client backends are judged, the others' pids count for CPU. pg_blocking_pids only for
    // sessions that wait on a lock (it takes the lock manager's locks). Whether a session is in this database: lock queues
    // and open transactions of other databases on the same server are not this application's cause (slots and CPU are).
    private const string ActivitySql = Marker + """
         SELECT pid, coalesce(state, ''), coalesce(wait_event_type, ''), coalesce(wait_event, ''), coalesce(application_name, ''),
               coalesce(usename::text, ''), coalesce(host(client_addr), 'local'), coalesce(backend_type, ''),
               coalesce(extract(epoch FROM now() - xact_start), 0)::float8,
               coalesce(extract(epoch FROM now() - state_change), 0)::float8,
               left(coalesce(query, ''), 300),
               CASE WHEN wait_event_type = 'Lock' THEN pg_blocking_pids(pid) END,
               coalesce(datname = current_database(), false)
          FROM pg_stat_activity WHERE pid <> pg_backend_pid()
        """;
    private const string StatementsSql = Marker + """
         SELECT queryid::text, calls, total_exec_time, left(query, 300)
          FROM pg_stat_statements
         WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND toplevel
           AND query NOT LIKE '%lifeguard-diagnoser%'
         ORDER BY calls DESC LIMIT $1
        """;

    private readonly string _connectionString;
    private readonly PostgresDiagnosisOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly bool _local;
    private readonly double _cores;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Queue<(long At, Dictionary<string, (long Calls, double Total)> Stats)> _statementHistory = new();
    private readonly Dictionary<string, double> _statementBaseline = new(StringComparer.Ordinal);
    private readonly PostgresProcessCpu _cpu = new();
    private NpgsqlConnection? _connection;
    private int _failures;
    private long _nextAttemptAt;
    private ServerSignals? _lastDown;
    private DateTimeOffset? _startedAt;
    private int _maxConnections;
    private int _reserved;
    private bool _statements;

    /// <summary>Creates the source for the server behind <paramref name="connectionString"/> (only host, port, database and
    /// credentials are used; pooling is off for this one connection).</summary>
    public PostgresServerSignalSource(string connectionString, PostgresDiagnosisOptions? options = null, TimeProvider? time = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        _options = options ?? new PostgresDiagnosisOptions();
        System.ComponentModel.DataAnnotations.Validator.ValidateObject(_options, new(_options), validateAllProperties: true);
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        var app = new NpgsqlConnectionStringBuilder(connectionString);
        _options.ApplicationNameOfApp ??= app.ApplicationName;
        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            Pooling = false,
            ApplicationName = _options.ApplicationName,
            Timeout = _options.ConnectTimeoutSeconds,
            CommandTimeout = (int)Math.Ceiling(_options.StatementTimeout.TotalSeconds) + 1,
            Options = string.Create(CultureInfo.InvariantCulture, $"-c statement_timeout={(int)_options.StatementTimeout.TotalMilliseconds} -c lock_timeout=100"),
            KeepAlive = 5,
        };
        _connectionString = builder.ConnectionString;
        _local = PostgresProcessCpu.IsLocal(builder.Host);
        _cores = _options.DatabaseCores ?? (_local ? LocalCores() : 0);
    }

    /// <summary>The server's cores as this source counts them (0: unknown, CPU rule off).</summary>
    public double Cores => _cores;

    /// <inheritdoc />
    public async Task<ServerSignals> SampleAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_connection is null)
            {
                if (_lastDown is not null && _time.GetTimestamp() < _nextAttemptAt) return _lastDown;
                try
                {
                    await ConnectAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is NpgsqlException or TimeoutException or IOException or InvalidOperationException)
                {
                    return Down(e);
                }
            }
            try
            {
                return await ReadAsync(_connection!, cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.QueryCanceled && _connection!.State == System.Data.ConnectionState.Open)
            {
                // Our own statement_timeout: the server answers, slowly. Not "down".
                return new ServerSignals { Reachable = true, Error = "sampling hit the diagnoser's statement_timeout", Cores = _cores, MaxConnections = _maxConnections, ReservedConnections = _reserved };
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or IOException or InvalidOperationException)
            {
                await DropAsync().ConfigureAwait(false);
                // The first failure of a kept connection is retried at the next sample, without backoff: the server may have
                // only ended this session (Down sets a backoff, so it is cleared after).
                var down = Down(e);
                _nextAttemptAt = 0;
                return down;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task ConnectAsync(CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var budget = await ServerBudgetQuery.ReadAsync(connection, cancellationToken, Marker).ConfigureAwait(false);
            _maxConnections = budget.MaxConnections;
            _reserved = budget.ReservedConnections;
            await using var cmd = new NpgsqlCommand(ServerSql, connection);
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await r.ReadAsync(cancellationToken).ConfigureAwait(false);
            var started = new DateTimeOffset(r.GetDateTime(0).ToUniversalTime(), TimeSpan.Zero);
            _restarted = _startedAt is { } before && before != started;
            _startedAt = started;
            _statements = r.GetBoolean(1);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        _connection = connection;
        if (_failures > 0) LogReconnected(_logger, _failures);
        _failures = 0;
        _lastDown = null;
        _statementHistory.Clear();
    }

    private bool _restarted;

    private ServerSignals Down(Exception e)
    {
        _failures++;
        var backoff = Math.Min(_options.MaxReconnectBackoff.TotalSeconds, 0.5 * Math.Pow(2, Math.Min(10, _failures - 1)));
        _nextAttemptAt = _time.GetTimestamp() + (long)(backoff * _time.TimestampFrequency);
        var kind = NpgsqlErrorClassifier.Instance.Classify(e) ?? (e is TimeoutException or IOException ? ConnectionErrorKind.ServerUnavailable : ConnectionErrorKind.Other);
        if (kind == ConnectionErrorKind.PoolTimeout) kind = ConnectionErrorKind.ServerUnavailable; // no pool here: the connect timed out
        if (_failures == 1) LogDown(_logger, e.Message);
        _lastDown = new ServerSignals
        {
            Reachable = false,
            Error = e is PostgresException pg ? $"{pg.SqlState} {pg.MessageText}" : e.GetBaseException().Message,
            ErrorKind = kind,
            Cores = _cores,
            StartedAt = _startedAt,
            MaxConnections = _maxConnections,
            ReservedConnections = _reserved,
        };
        return _lastDown;
    }

    private async Task DropAsync()
    {
        if (_connection is null) return;
        await _connection.DisposeAsync().ConfigureAwait(false);
        _connection = null;
    }

    private async Task<ServerSignals> ReadAsync(NpgsqlConnection c, CancellationToken ct)
    {
        var lag = await HostLagAsync(ct).ConfigureAwait(false);
        var t0 = _time.GetTimestamp();
        await using (var ping = new NpgsqlCommand(RoundTripSql, c))
        {
            await ping.ExecuteScalarAsync(ct).ConfigureAwait(false);
        }
        var roundTrip = _time.GetElapsedTime(t0).TotalMilliseconds;

        var sessions = new List<Session>();
        await using (var cmd = new NpgsqlCommand(ActivitySql, c))
        await using (var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await r.ReadAsync(ct).ConfigureAwait(false))
            {
                sessions.Add(new Session(r.GetInt32(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5),
                    r.GetString(6), r.GetString(7), r.GetDouble(8), r.GetDouble(9), QueryTextNormalizer.Normalize(r.GetString(10)), r.IsDBNull(11) ? null : r.GetFieldValue<int[]>(11), r.GetBoolean(12)));
            }
        }

        var (slowed, execPerSecond) = _statements ? await StatementsAsync(c, ct).ConfigureAwait(false) : ([], 0);
        var restarted = _restarted;
        _restarted = false;
        return Build(sessions, roundTrip, slowed, execPerSecond, restarted) with { HostLagMs = Math.Round(lag, 3) };
    }

    // How late a 1 ms timer's continuation runs on this host: the wake-ups a round trip's reply needs (the socket's, then
    // the thread pool's) wait as long on a CPU-starved host, which would read as a slower network. Physical time on
    // purpose (system timer and Stopwatch, not the injected TimeProvider): it measures this machine's scheduling.
    private static async Task<double> HostLagAsync(CancellationToken ct)
    {
        var t0 = System.Diagnostics.Stopwatch.GetTimestamp();
        await Task.Delay(1, ct).ConfigureAwait(false);
        return Math.Max(0, System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalMilliseconds - 1);
    }

    private ServerSignals Build(List<Session> all, double roundTrip, List<StatementSlowdown> slowed, double execPerSecond, bool restarted)
    {
        var clients = all.Where(s => s.BackendType == "client backend").ToList();
        var active = clients.Where(s => s.State == "active").ToList();
        var onCpu = active.Count(s => s.WaitType.Length == 0);
        var waits = active.GroupBy(s => s.WaitType.Length == 0 ? ("CPU", "CPU") : (s.WaitType, s.WaitEvent))
            .Select(g => new WaitEventCount(g.Key.Item1, g.Key.Item2, g.Count())).OrderByDescending(w => w.Sessions).ToList();
        var lockWaiters = clients.Where(s => s.SameDatabase && s.WaitType == "Lock").ToList();
        var idleTx = clients.Where(s => s.SameDatabase && s.State.StartsWith("idle in transaction", StringComparison.Ordinal)).ToList();
        var appName = _options.ApplicationNameOfApp;
        var app = string.IsNullOrEmpty(appName) ? [] : clients.Where(s => s.Application == appName).ToList();
        var appIdleTx = app.Where(s => s.State.StartsWith("idle in transaction", StringComparison.Ordinal)).ToList();
        var holders = clients.GroupBy(s => (s.Application, s.User, s.Client))
            .Select(g => new SlotHolder(g.Key.Application, g.Key.User, g.Key.Client, g.Count()))
            .OrderByDescending(h => h.Connections).Take(10).ToList();

        return new ServerSignals
        {
            Reachable = true,
            RoundTripMs = Math.Round(roundTrip, 3),
            StartedAt = _startedAt,
            Restarted = restarted,
            MaxConnections = _maxConnections,
            ReservedConnections = _reserved,
            Backends = clients.Count + 1, // + this connection, which holds a slot too
            SlotHolders = holders,
            OnCpuBy = active.Where(s => s.WaitType.Length == 0).GroupBy(s => (s.Application, s.User, s.Client))
                .Select(g => new SlotHolder(g.Key.Application, g.Key.User, g.Key.Client, g.Count()))
                .OrderByDescending(h => h.Connections).ThenBy(h => h.Application, StringComparer.Ordinal).Take(5).ToList(),
            Active = active.Count,
            ActiveOnCpu = onCpu,
            Cores = _cores,
            CpuCoresUsed = _local ? CpuUsed(all) : null,
            HostCpuBusy = _local ? HostBusy() : null,
            WaitEvents = waits,
            LockWaiters = lockWaiters.Count,
            LongestLockWaitSeconds = lockWaiters.Count == 0 ? 0 : Math.Round(lockWaiters.Max(s => s.StateAge), 3),
            RootBlocker = RootBlocker(clients, lockWaiters),
            IdleInTransaction = idleTx.Count,
            ApplicationName = string.IsNullOrEmpty(appName) ? null : appName,
            AppLockWaiters = app.Count(s => s.WaitType == "Lock"),
            AppActiveOnCpu = app.Count(s => s.State == "active" && s.WaitType.Length == 0),
            AppActive = app.Count(s => s.State == "active"),
            AppBackends = app.Count,
            AppIdleInTransaction = appIdleTx.Count,
            AppLongestIdleInTransactionSeconds = appIdleTx.Count == 0 ? 0 : Math.Round(appIdleTx.Max(s => s.StateAge), 3),
            StatementsAvailable = _statements,
            ExecutionMsPerSecond = Math.Round(execPerSecond, 3),
            SlowedStatements = slowed,
        };
    }

    /// <summary>Follows pg_blocking_pids from every lock waiter to the sessions blocked by nobody; the root blocking most wins.</summary>
    internal static BlockingSession? RootBlocker(IReadOnlyList<Session> clients, IReadOnlyList<Session> lockWaiters)
    {
        if (lockWaiters.Count == 0) return null;
        var byPid = clients.ToDictionary(s => s.Pid);
        var blocked = new Dictionary<int, HashSet<int>>();
        foreach (var waiter in lockWaiters)
        {
            foreach (var root in Roots(waiter.Pid, byPid, []))
            {
                if (!blocked.TryGetValue(root, out var set)) blocked[root] = set = [];
                set.Add(waiter.Pid);
            }
        }
        if (blocked.Count == 0) return null;
        var (pid, victims) = blocked.OrderByDescending(kv => kv.Value.Count).ThenBy(kv => kv.Key).First();
        if (!byPid.TryGetValue(pid, out var s))
            return new BlockingSession(pid, "(not a client session)", "", "", "", 0, 0, "", victims.Count);
        return new BlockingSession(s.Pid, s.State, s.Application, s.User, s.Client, Math.Round(s.XactAge, 1), Math.Round(s.StateAge, 1), s.Query, victims.Count);
    }

    private static IEnumerable<int> Roots(int pid, Dictionary<int, Session> byPid, HashSet<int> seen)
    {
        if (!seen.Add(pid)) yield break; // a cycle is a deadlock; the server breaks it
        var blockers = byPid.TryGetValue(pid, out var s) ? s.BlockedBy : null;
        if (blockers is null || blockers.Length == 0)
        {
            yield return pid;
            yield break;
        }
        foreach (var b in blockers)
        {
            // The waiter itself is not a root; its blockers are, or theirs.
            if (byPid.TryGetValue(b, out var bs) && bs.BlockedBy is { Length: > 0 })
            {
                foreach (var r in Roots(b, byPid, seen)) yield return r;
            }
            else
            {
                yield return b;
            }
        }
    }

    private async Task<(List<StatementSlowdown>, double)> StatementsAsync(NpgsqlConnection c, CancellationToken ct)
    {
        var now = new Dictionary<string, (long Calls, double Total)>(StringComparer.Ordinal);
        var text = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            await using var cmd = new NpgsqlCommand(StatementsSql, c);
            cmd.Parameters.AddWithValue(_options.MaxStatements);
            await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await r.ReadAsync(ct).ConfigureAwait(false))
            {
                if (r.IsDBNull(0)) continue;
                var id = r.GetString(0);
                now[id] = (r.GetInt64(1), r.GetDouble(2));
                text[id] = r.GetString(3);
            }
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.ObjectNotInPrerequisiteState or PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InsufficientPrivilege)
        {
            _statements = false; // not preloaded, dropped, or not visible: judged without statements from now on
            return ([], 0);
        }

        var at = _time.GetTimestamp();
        _statementHistory.Enqueue((at, now));
        var windowTicks = (long)(_options.StatementWindowSeconds * _time.TimestampFrequency);
        while (_statementHistory.Count > 2 && at - _statementHistory.ElementAt(1).At >= windowTicks) _statementHistory.Dequeue();
        var (thenAt, then) = _statementHistory.Peek();
        var seconds = (at - thenAt) / (double)_time.TimestampFrequency;
        if (seconds <= 0) return ([], 0);

        double allMs = 0;
        var deltas = new List<(string Id, long Calls, double Ms)>();
        foreach (var (id, (calls, total)) in now)
        {
            var (c0, t0) = then.TryGetValue(id, out var p) ? p : (0L, 0.0);
            var dc = calls - c0;
            var dt = total - t0;
            if (dc <= 0 || dt < 0) continue; // no calls in the window, or statistics were reset
            allMs += dt;
            deltas.Add((id, dc, dt));
        }

        var slowed = new List<StatementSlowdown>();
        foreach (var (id, calls, ms) in deltas)
        {
            var mean = ms / calls;
            if (!_statementBaseline.TryGetValue(id, out var baseline))
            {
                // First seen: its mean so far (all its calls before this window too) is its baseline.
                var (tc, tt) = now[id];
                baseline = then.ContainsKey(id) ? then[id].Total / Math.Max(1, then[id].Calls) : tt / Math.Max(1, tc);
                _statementBaseline[id] = baseline;
            }
            if (mean >= _options.StatementReportFactor * baseline && calls >= _options.StatementMinCalls)
            {
                slowed.Add(new StatementSlowdown(id, text[id], Math.Round(calls / seconds, 2), Math.Round(mean, 3), Math.Round(baseline, 4),
                    allMs <= 0 ? 0 : Math.Round(ms / allMs, 3)));
            }
            else
            {
                // Adapts slowly to a new normal, and not at all while the statement is slowed.
                _statementBaseline[id] = (0.9 * baseline) + (0.1 * mean);
            }
        }
        if (_statementBaseline.Count > 4 * _options.MaxStatements) _statementBaseline.Clear();
        return (slowed.OrderByDescending(x => x.ShareOfExecution).ToList(), allMs / seconds);
    }

    // This cluster's processes only (backends, workers, and their parent postmaster).
    private double? CpuUsed(List<Session> all) =>
        _cpu.Sample(all.Select(s => s.Pid), _time.GetTimestamp(), _time.TimestampFrequency) is { } used ? Math.Round(used, 2) : null;

    private (double Busy, double Total)? _lastHost;

    // The first line of /proc/stat: user nice system idle iowait irq softirq steal ...; busy is all but idle and iowait.
    private double? HostBusy()
    {
        try
        {
            var line = File.ReadLines("/proc/stat").First();
            var v = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8).Select(x => double.Parse(x, CultureInfo.InvariantCulture)).ToArray();
            var total = v.Sum();
            var busy = total - v[3] - v[4];
            var last = _lastHost;
            _lastHost = (busy, total);
            return last is { } l && total > l.Total ? Math.Round((busy - l.Busy) / (total - l.Total), 3) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or InvalidOperationException)
        {
            return null;
        }
    }

    private static double LocalCores()
    {
        try
        {
            var n = File.ReadLines("/proc/cpuinfo").Count(l => l.StartsWith("processor", StringComparison.Ordinal));
            return n > 0 ? n : Environment.ProcessorCount;
        }
        catch (IOException)
        {
            return Environment.ProcessorCount;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await DropAsync().ConfigureAwait(false);
        _gate.Dispose();
    }

    internal sealed record Session(int Pid, string State, string WaitType, string WaitEvent, string Application, string User, string Client,
        string BackendType, double XactAge, double StateAge, string Query, int[]? BlockedBy, bool SameDatabase = true);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lifeguard's diagnoser cannot read PostgreSQL: {Reason}. It retries with backoff.")]
    private static partial void LogDown(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Lifeguard's diagnoser reads PostgreSQL again after {Failures} failed attempt(s).")]
    private static partial void LogReconnected(ILogger logger, int failures);
}
