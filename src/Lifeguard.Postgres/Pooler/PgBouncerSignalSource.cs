using System.Diagnostics.Metrics;
using System.Globalization;
using Lifeguard.Diagnosis;
using Lifeguard.Postgres.Diagnosis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Lifeguard.Postgres.Pooler;

/// <summary>
/// Reads PgBouncer's admin console for the diagnoser, once a sample on one kept console connection (reopened after a
/// failure): SHOW POOLS, STATS, SERVERS, CLIENTS, DATABASES, LISTS and CONFIG, narrowed to the application's
/// database/user pair. The longest-running active server connections are the holders; with a direct server connection
/// string their statements are read from pg_stat_activity (one more connection, opened only while someone holds the pool).
/// Exports the pair's figures under pgbouncer_exporter's names (meter "Lifeguard").
/// </summary>
internal sealed partial class PgBouncerSignalSource : IPoolerSignalSource, IAsyncDisposable
{
    // A server connection active at least this long is looked up on the server (its statement), when one is given.
    private const double HolderLookupSeconds = 1;

    private readonly string _adminConnectionString;
    private readonly string _database;
    private readonly string _user;
    private readonly string? _directServer;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, (string Request, long FirstSeen)> _activeSince = new(StringComparer.Ordinal);
    private PgBouncerConsole? _console;
    private NpgsqlConnection? _server;
    private int _failures;
    private volatile PoolerSignals? _latest;

    /// <summary>Creates the source for the console at <paramref name="adminConnectionString"/> (database pgbouncer unless it
    /// names one) and the pair <paramref name="database"/>/<paramref name="user"/>.</summary>
    public PgBouncerSignalSource(string adminConnectionString, string database, string user, string? directServerConnectionString = null,
        TimeProvider? time = null, ILogger? logger = null, IMeterFactory? meterFactory = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(adminConnectionString);
        ArgumentException.ThrowIfNullOrWhiteSpace(database);
        ArgumentException.ThrowIfNullOrWhiteSpace(user);
        var admin = new NpgsqlConnectionStringBuilder(adminConnectionString);
        if (string.IsNullOrEmpty(admin.Database)) admin.Database = PgBouncerConsole.ConsoleDatabase;
        if (admin.Timeout > 5) admin.Timeout = 2; // a sample never waits long on the console
        _adminConnectionString = admin.ConnectionString;
        Address = string.Create(CultureInfo.InvariantCulture, $"{admin.Host}:{admin.Port}");
        (_database, _user, _time) = (database, user, time ?? TimeProvider.System);
        _logger = logger ?? NullLogger.Instance;
        if (directServerConnectionString is not null)
        {
            _directServer = new NpgsqlConnectionStringBuilder(directServerConnectionString)
            {
                Pooling = false,
                ApplicationName = "lifeguard-diagnoser",
                Timeout = 2,
                CommandTimeout = 2,
            }.ConnectionString;
        }
        if (meterFactory is not null) PgBouncerMetrics.Register(meterFactory, this);
    }

    /// <summary>The console's host:port.</summary>
    public string Address { get; }

    /// <summary>The pair read: database and user as the pooler names them.</summary>
    public (string Database, string User) Pair => (_database, _user);

    /// <summary>The latest sample; null before the first.</summary>
    public PoolerSignals? Latest => _latest;

    /// <inheritdoc />
    public async Task<PoolerSignals> SampleAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            PoolerSignals signals;
            try
            {
                _console ??= await PgBouncerConsole.OpenAsync(_adminConnectionString, cancellationToken).ConfigureAwait(false);
                signals = await ReadAsync(_console, cancellationToken).ConfigureAwait(false);
                if (_failures > 0) LogReconnected(_logger, Address, _failures);
                _failures = 0;
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or FormatException || e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                if (_failures++ == 0) LogDown(_logger, Address, e.Message);
                if (_console is not null) await _console.DisposeAsync().ConfigureAwait(false);
                _console = null;
                signals = new PoolerSignals { Reachable = false, Error = e.Message, Address = Address, Database = _database, User = _user };
            }
            _latest = signals;
            return signals;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<PoolerSignals> ReadAsync(PgBouncerConsole console, CancellationToken ct)
    {
        var pools = (await console.QueryAsync("SHOW POOLS", ct).ConfigureAwait(false)).Records().FirstOrDefault(IsPair);
        var stats = (await console.QueryAsync("SHOW STATS", ct).ConfigureAwait(false)).Records().FirstOrDefault(r => r.GetValueOrDefault("database") == _database);
        var servers = (await console.QueryAsync("SHOW SERVERS", ct).ConfigureAwait(false)).Records().Where(IsPair).ToList();
        var clients = (await console.QueryAsync("SHOW CLIENTS", ct).ConfigureAwait(false)).Records().ToList();
        var databases = (await console.QueryAsync("SHOW DATABASES", ct).ConfigureAwait(false)).Records().FirstOrDefault(r => r.GetValueOrDefault("name") == _database);
        var lists = (await console.QueryAsync("SHOW LISTS", ct).ConfigureAwait(false)).Records()
            .ToDictionary(r => r.GetValueOrDefault("list") ?? "", r => Int(r.GetValueOrDefault("items")), StringComparer.Ordinal);
        var config = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var r in (await console.QueryAsync("SHOW CONFIG", ct).ConfigureAwait(false)).Records())
        {
            if (r.GetValueOrDefault("key") is { } key) config[key] = r.GetValueOrDefault("value");
        }

        var defaultPool = Int(config.GetValueOrDefault("default_pool_size"));
        var poolSize = databases?.GetValueOrDefault("pool_size") is { Length: > 0 } size ? Int(size) : defaultPool;
        var dbMax = databases is null ? 0 : Int(databases.GetValueOrDefault("max_connections"));
        var globalMax = Int(config.GetValueOrDefault("max_db_connections"));
        var maxDb = dbMax > 0 ? dbMax : globalMax > 0 ? globalMax : (int?)null;
        var mode = pools?.GetValueOrDefault("pool_mode") is { Length: > 0 } m ? m : databases?.GetValueOrDefault("pool_mode") is { Length: > 0 } dm ? dm : config.GetValueOrDefault("pool_mode");

        var holders = await HoldersAsync(servers, clients, ct).ConfigureAwait(false);
        return new PoolerSignals
        {
            Reachable = true,
            Address = Address,
            Database = _database,
            User = _user,
            PoolMode = mode,
            PoolSize = poolSize,
            ReservePoolSize = databases is not null && databases.GetValueOrDefault("reserve_pool") is { Length: > 0 } reserve ? Int(reserve) : Int(config.GetValueOrDefault("reserve_pool_size")),
            ClientsActive = Int(pools?.GetValueOrDefault("cl_active")),
            ClientsWaiting = Int(pools?.GetValueOrDefault("cl_waiting")),
            ServersActive = Int(pools?.GetValueOrDefault("sv_active")),
            ServersIdle = Int(pools?.GetValueOrDefault("sv_idle")),
            ServersUsed = Int(pools?.GetValueOrDefault("sv_used")),
            ServersTested = Int(pools?.GetValueOrDefault("sv_tested")),
            ServersLogin = Int(pools?.GetValueOrDefault("sv_login")),
            MaxWaitSeconds = Int(pools?.GetValueOrDefault("maxwait")) + (Long(pools?.GetValueOrDefault("maxwait_us")) / 1e6),
            AverageWaitMs = Long(stats?.GetValueOrDefault("avg_wait_time")) / 1e3,
            TotalWaitSeconds = Long(stats?.GetValueOrDefault("total_wait_time")) / 1e6,
            ClientConnections = lists.GetValueOrDefault("used_clients"),
            MaxClientConnections = Int(config.GetValueOrDefault("max_client_conn")),
            DatabaseServerConnections = databases is null ? 0 : Int(databases.GetValueOrDefault("current_connections")),
            MaxDbConnections = maxDb,
            Holders = holders,
        };
    }

    private bool IsPair(Dictionary<string, string?> row) => row.GetValueOrDefault("database") == _database && row.GetValueOrDefault("user") == _user;

    // Active server connections by how long their current request has run: the console's request_time (whole seconds,
    // in the pooler's time zone) when it is UTC, else from when this reader first saw that request.
    private async Task<List<PoolerHolder>> HoldersAsync(List<Dictionary<string, string?>> servers, List<Dictionary<string, string?>> clients, CancellationToken ct)
    {
        var now = _time.GetTimestamp();
        var nowUtc = _time.GetUtcNow();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var found = new List<PoolerHolder>();
        var byPtr = clients.Where(c => c.GetValueOrDefault("ptr") is { Length: > 0 }).GroupBy(c => c["ptr"]!).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        foreach (var s in servers.Where(s => s.GetValueOrDefault("state") == "active"))
        {
            var ptr = s.GetValueOrDefault("ptr") ?? "";
            var request = s.GetValueOrDefault("request_time") ?? "";
            seen.Add(ptr);
            if (!_activeSince.TryGetValue(ptr, out var since) || since.Request != request) _activeSince[ptr] = since = (request, now);
            var seconds = _time.GetElapsedTime(since.FirstSeen, now).TotalSeconds;
            if (request.EndsWith(" UTC", StringComparison.Ordinal)
                && DateTimeOffset.TryParseExact(request[..^4], "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var started))
                seconds = Math.Max(seconds, (nowUtc - started).TotalSeconds);
            var client = s.GetValueOrDefault("link") is { Length: > 0 } link ? byPtr.GetValueOrDefault(link) : null;
            var application = client?.GetValueOrDefault("application_name") ?? s.GetValueOrDefault("application_name") ?? "";
            var address = client is null ? "?" : $"{client.GetValueOrDefault("addr")}:{client.GetValueOrDefault("port")}";
            found.Add(new PoolerHolder(Int(s.GetValueOrDefault("remote_pid")), application, address, Math.Round(Math.Max(0, seconds), 1), null));
        }
        foreach (var gone in _activeSince.Keys.Where(k => !seen.Contains(k)).ToList()) _activeSince.Remove(gone);
        found.Sort((a, b) => b.ActiveSeconds.CompareTo(a.ActiveSeconds));
        var longest = found.Take(5).ToList();
        if (_directServer is null || !longest.Any(h => h.ActiveSeconds >= HolderLookupSeconds && h.ServerPid > 0)) return longest;
        return await WithStatementsAsync(longest, ct).ConfigureAwait(false);
    }

    private async Task<List<PoolerHolder>> WithStatementsAsync(List<PoolerHolder> holders, CancellationToken ct)
    {
        try
        {
            if (_server is null)
            {
                var connection = new NpgsqlConnection(_directServer);
                await connection.OpenAsync(ct).ConfigureAwait(false);
                _server = connection;
            }
            var statements = new Dictionary<int, (double Seconds, string Query)>();
            await using var cmd = new NpgsqlCommand(ServerReaderSql.Marker + """
                 SELECT pid, coalesce(extract(epoch FROM now() - coalesce(xact_start, query_start)), 0)::float8, coalesce(query, '')
                 FROM pg_stat_activity WHERE pid = ANY($1)
                """, _server);
            cmd.Parameters.AddWithValue(holders.Select(h => h.ServerPid).ToArray());
            await using (var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
            {
                while (await r.ReadAsync(ct).ConfigureAwait(false)) statements[r.GetInt32(0)] = (r.GetDouble(1), QueryTextNormalizer.Normalize(r.GetString(2)));
            }
            return holders.Select(h => statements.TryGetValue(h.ServerPid, out var st)
                ? h with { ActiveSeconds = Math.Round(Math.Max(h.ActiveSeconds, st.Seconds), 1), Query = st.Query }
                : h).OrderByDescending(h => h.ActiveSeconds).ToList();
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or IOException or InvalidOperationException)
        {
            // The statements are a detail of the evidence: without them the holders are still named by the pooler.
            if (_server is not null) await _server.DisposeAsync().ConfigureAwait(false);
            _server = null;
            return holders;
        }
    }

    private static int Int(string? value) => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0;

    private static long Long(string? value) => long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0;

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_console is not null) await _console.DisposeAsync().ConfigureAwait(false);
        if (_server is not null) await _server.DisposeAsync().ConfigureAwait(false);
        _gate.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lifeguard's diagnoser cannot read the pooler's admin console at {Address}: {Reason}. It retries every sample.")]
    private static partial void LogDown(ILogger logger, string address, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Lifeguard's diagnoser reads the pooler's admin console at {Address} again after {Failures} failed attempt(s).")]
    private static partial void LogReconnected(ILogger logger, string address, int failures);
}
