using System.Globalization;
using Lifeguard.Diagnosis;
using Lifeguard.Postgres.Activity;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Lifeguard.Postgres.Diagnosis;

/// <summary>
/// Lifeguard's one reader of PostgreSQL: reads the server's side of a diagnosis (activity, locks, budget, statements) on
/// one dedicated connection that is not from the application's pool (so it still answers when the pool or the server's
/// slots are exhausted): opened at the first sample, kept open, reopened with backoff after the server comes back. Every
/// statement carries the comment <c>lifeguard-diagnoser</c> so its cost can be read back from pg_stat_statements. The
/// server metrics export its latest sample rather than querying again.
/// </summary>
public sealed partial class PostgresServerSignalSource : IServerSignalSource, IAsyncDisposable
{
    /// <summary>The marker in every statement the diagnoser runs.</summary>
    public const string Marker = ServerReaderSql.Marker;

    private readonly string _connectionString;
    private readonly PostgresDiagnosisOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly bool _local;
    private readonly double _cores;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly StatementBaseline _statementBaseline;
    private readonly PostgresProcessCpu _cpu = new();
    private readonly HostCpu _hostCpu = new();
    // Physical time on purpose, as the timer lag: it measures this machine's scheduling.
    private readonly HostCpuPressure _hostPressure = new(TimeProvider.System);
    private NpgsqlConnection? _connection;
    private int _failures;
    private long _nextAttemptAt;
    private ServerSignals? _lastDown;
    private DateTimeOffset? _startedAt;
    private bool _restarted;
    private int _maxConnections;
    private int _reserved;
    private bool _statements;
    private volatile PostgresServerReading? _latest;
    private int _backendPid;

    /// <summary>Creates the source for the server behind <paramref name="connectionString"/> (only host, port, database and
    /// credentials are used; pooling is off for this one connection).</summary>
    public PostgresServerSignalSource(string connectionString, PostgresDiagnosisOptions? options = null, TimeProvider? time = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        _options = options ?? new PostgresDiagnosisOptions();
        System.ComponentModel.DataAnnotations.Validator.ValidateObject(_options, new(_options), validateAllProperties: true);
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _statementBaseline = new StatementBaseline(_options);
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
        _cores = _options.DatabaseCores ?? (_local ? HostCpu.Cores() : 0);
    }

    /// <summary>The server's cores as this source counts them (0: unknown, CPU rule off).</summary>
    public double Cores => _cores;

    /// <summary>The fleet registry's readings to hand to the diagnoser (set by AddLifeguardPostgres); null: no fleet.</summary>
    internal Fleet.FleetReadings? Fleet { get; set; }

    /// <summary>How old a fleet reading may be and still be handed on (the registry's expiry).</summary>
    internal TimeSpan FleetMaxAge { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>Whether this reader reaches the server through a connection pooler: set when configured so, and found when
    /// the backend behind its one connection changes (a pooler in transaction or statement mode hands out another).</summary>
    internal bool ThroughPooler { get; set; }

    /// <summary>The latest sample, for the server metrics; null before the first.</summary>
    internal PostgresServerReading? Latest => _latest;

    /// <inheritdoc />
    public async Task<ServerSignals> SampleAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var (signals, byState) = await ReadOrDownAsync(cancellationToken).ConfigureAwait(false);
            // The fleet registry's latest reading rides along (also when this reader is refused a slot: then most of all).
            if (Fleet?.Fresh(_time, FleetMaxAge) is { } fleet) signals = signals with { Fleet = fleet };
            _latest = new PostgresServerReading(_time.GetTimestamp(), signals, byState);
            return signals;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<(ServerSignals, IReadOnlyDictionary<string, int>?)> ReadOrDownAsync(CancellationToken cancellationToken)
    {
        if (_connection is null)
        {
            if (_lastDown is not null && _time.GetTimestamp() < _nextAttemptAt) return (_lastDown, null);
            try
            {
                await ConnectAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or IOException or InvalidOperationException)
            {
                return (Down(e), null);
            }
        }
        try
        {
            return await ReadAsync(_connection!, cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.QueryCanceled && _connection!.State == System.Data.ConnectionState.Open)
        {
            // Our own statement_timeout: the server answers, slowly. Not "down".
            return (new ServerSignals { Reachable = true, Error = "sampling hit the diagnoser's statement_timeout", Cores = _cores, MaxConnections = _maxConnections, ReservedConnections = _reserved }, null);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or IOException or InvalidOperationException)
        {
            await DropAsync().ConfigureAwait(false);
            // The first failure of a kept connection is retried at the next sample, without backoff: the server may have
            // only ended this session (Down sets a backoff, so it is cleared after).
            var down = Down(e);
            _nextAttemptAt = 0;
            return (down, null);
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
            await using var cmd = new NpgsqlCommand(ServerReaderSql.Server, connection);
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
        _backendPid = 0; // a new connection may have a new backend without a pooler
        if (_failures > 0) LogReconnected(_logger, _failures);
        _failures = 0;
        _lastDown = null;
        _statementBaseline.Restart();
    }

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
            ReadThroughPooler = ThroughPooler,
        };
        return _lastDown;
    }

    private async Task DropAsync()
    {
        if (_connection is null) return;
        await _connection.DisposeAsync().ConfigureAwait(false);
        _connection = null;
    }

    private async Task<(ServerSignals, IReadOnlyDictionary<string, int>?)> ReadAsync(NpgsqlConnection c, CancellationToken ct)
    {
        var lag = await HostLagAsync(ct).ConfigureAwait(false);
        var roundTrip = await RoundTripFloorAsync(c, ct).ConfigureAwait(false);

        var sessions = new List<ServerSession>();
        await using (var cmd = new NpgsqlCommand(ServerReaderSql.Activity, c))
        await using (var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await r.ReadAsync(ct).ConfigureAwait(false))
            {
                sessions.Add(new ServerSession(r.GetInt32(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5),
                    r.GetString(6), r.GetString(7), r.GetDouble(8), r.GetDouble(9), QueryTextNormalizer.Normalize(r.GetString(10)), r.IsDBNull(11) ? null : r.GetFieldValue<int[]>(11), r.GetBoolean(12)));
            }
        }

        var (slowed, execPerSecond) = _statements ? await StatementsAsync(c, ct).ConfigureAwait(false) : ([], 0);
        var restarted = _restarted;
        _restarted = false;
        var signals = ActivitySignals.From(sessions, _options.ApplicationNameOfApp) with
        {
            RoundTripMs = Math.Round(roundTrip, 3),
            HostLagMs = Math.Round(lag, 3),
            HostCpuPressure = _hostPressure.Share(),
            StartedAt = _startedAt,
            Restarted = restarted,
            MaxConnections = _maxConnections,
            ReservedConnections = _reserved,
            Cores = _cores,
            // This cluster's processes only (backends, workers, and their parent postmaster).
            CpuCoresUsed = _local && _cpu.Sample(sessions.Select(s => s.Pid), _time.GetTimestamp(), _time.TimestampFrequency) is { } used ? Math.Round(used, 2) : null,
            HostCpuBusy = _local ? _hostCpu.Busy() : null,
            StatementsAvailable = _statements,
            ExecutionMsPerSecond = Math.Round(execPerSecond, 3),
            SlowedStatements = slowed,
            ReadThroughPooler = ThroughPooler,
        };
        return (signals, ActivitySignals.ConnectionsByState(sessions));
    }

    // The fastest of up to RoundTripTrips back-to-back trivial round trips, stopping once RoundTripBudgetMs is spent: a
    // slower wire slows every trip, while a host whose tasks queue for a CPU delays only some of them, so the floor is the
    // wire's and one unlucky wake-up does not read as a slower network (seen: a healthy site on a host busy with builds
    // read 23-54 ms single trips against 12 ms). Each trip also checks the backend behind the connection.
    private async Task<double> RoundTripFloorAsync(NpgsqlConnection c, CancellationToken ct)
    {
        var fastest = double.MaxValue;
        var spent = 0.0;
        await using var ping = new NpgsqlCommand(ServerReaderSql.RoundTrip, c);
        for (var trip = 0; trip < RoundTripTrips && (trip == 0 || spent < RoundTripBudgetMs); trip++)
        {
            var t0 = _time.GetTimestamp();
            var pid = Convert.ToInt32(await ping.ExecuteScalarAsync(ct).ConfigureAwait(false), CultureInfo.InvariantCulture);
            var ms = _time.GetElapsedTime(t0).TotalMilliseconds;
            fastest = Math.Min(fastest, ms);
            spent += ms;
            if (_backendPid != 0 && pid != _backendPid && !ThroughPooler)
            {
                ThroughPooler = true;
                LogThroughPooler(_logger);
            }
            _backendPid = pid;
        }
        return fastest;
    }

    private const int RoundTripTrips = 3;
    private const double RoundTripBudgetMs = 100;

    // How late a 1 ms timer's continuation runs on this host: the wake-ups a round trip's reply needs (the socket's, then
    // the thread pool's) wait as long on a CPU-starved host, which would read as a slower network. Physical time on
    // purpose (system timer and Stopwatch, not the injected TimeProvider): it measures this machine's scheduling.
    private static async Task<double> HostLagAsync(CancellationToken ct)
    {
        var t0 = System.Diagnostics.Stopwatch.GetTimestamp();
        await Task.Delay(1, ct).ConfigureAwait(false);
        return Math.Max(0, System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalMilliseconds - 1);
    }

    private async Task<(List<StatementSlowdown>, double)> StatementsAsync(NpgsqlConnection c, CancellationToken ct)
    {
        var now = new Dictionary<string, StatementTotals>(StringComparer.Ordinal);
        try
        {
            await using var cmd = new NpgsqlCommand(ServerReaderSql.Statements, c);
            cmd.Parameters.AddWithValue(_options.MaxStatements);
            await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await r.ReadAsync(ct).ConfigureAwait(false))
            {
                if (r.IsDBNull(0)) continue;
                now[r.GetString(0)] = new StatementTotals(r.GetInt64(1), r.GetDouble(2), r.GetString(3));
            }
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.ObjectNotInPrerequisiteState or PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InsufficientPrivilege)
        {
            _statements = false; // not preloaded, dropped, or not visible: judged without statements from now on
            return ([], 0);
        }
        return _statementBaseline.Observe(_time.GetTimestamp(), _time.TimestampFrequency, now);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await DropAsync().ConfigureAwait(false);
        _gate.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lifeguard's diagnoser cannot read PostgreSQL: {Reason}. It retries with backoff.")]
    private static partial void LogDown(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lifeguard's diagnoser reads PostgreSQL through a connection pooler (the backend behind its connection changed): it sees only the pooler's server connections, not the server's slots. Set Lifeguard:Diagnosis:Postgres:ConnectionString to the server's own address.")]
    private static partial void LogThroughPooler(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Lifeguard's diagnoser reads PostgreSQL again after {Failures} failed attempt(s).")]
    private static partial void LogReconnected(ILogger logger, int failures);
}
