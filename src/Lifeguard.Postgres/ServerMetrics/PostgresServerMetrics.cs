using System.Diagnostics.Metrics;
using Dapper;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Lifeguard.Postgres.ServerMetrics;

/// <summary>
/// Exports what only the server knows, so alerts can set every instance's pool against the server's budget:
/// lifeguard.postgres.max_connections, .reserved_connections and .connections{state} (meter "Lifeguard").
/// Polls on its own single connection, never through the application's pool, so it neither waits behind a
/// saturated pool nor shows up in the pool's metrics. While the server cannot be read the gauges report nothing,
/// rather than a stale budget.
/// </summary>
internal sealed partial class PostgresServerMetrics : BackgroundService
{
    /// <summary>The meter the instruments belong to (the guard's).</summary>
    public const string MeterName = "Lifeguard";

    // The budget comes from the one budget query (ServerBudgetQuery); this is the split of client backends by state.
    private const string StatesSql = """
        SELECT coalesce(state, 'unknown') AS state, count(*)::int AS n
          FROM pg_stat_activity WHERE backend_type = 'client backend' GROUP BY 1
        """;

    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresServerMetricsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<PostgresServerMetrics> _logger;
    private volatile PostgresServerSnapshot? _latest;
    private bool _failing;

    /// <summary>Creates the exporter for the server behind <paramref name="connectionString"/>.</summary>
    public PostgresServerMetrics(string connectionString, IOptions<PostgresServerMetricsOptions> options, IMeterFactory meterFactory, TimeProvider time, ILogger<PostgresServerMetrics> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(meterFactory);
        _options = options.Value;
        _time = time;
        _logger = logger;
        // One connection of its own: pooled (so it is not re-opened every poll) but never more than one.
        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            MaxPoolSize = 1,
            MinPoolSize = 0,
            ApplicationName = _options.ApplicationName,
            Timeout = 5,
            CommandTimeout = 5,
        };
        _dataSource = NpgsqlDataSource.Create(builder.ConnectionString);

        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableGauge("lifeguard.postgres.max_connections", () => Single(_latest?.MaxConnections), "{connection}", "PostgreSQL max_connections.");
        meter.CreateObservableGauge("lifeguard.postgres.reserved_connections", () => Single(_latest?.ReservedConnections), "{connection}", "Slots applications cannot use (superuser_reserved_connections, + reserved_connections on 16+).");
        meter.CreateObservableGauge("lifeguard.postgres.connections", ByState, "{connection}", "Client backends on the server by pg_stat_activity.state.");
    }

    /// <summary>The last successful reading, null before the first or while the server cannot be read.</summary>
    public PostgresServerSnapshot? Latest => _latest;

    /// <summary>Reads the server once and publishes the result; false (and gauges emptied) when it cannot.</summary>
    public async Task<bool> PollOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            var budget = await ServerBudgetQuery.ReadAsync(connection, cancellationToken).ConfigureAwait(false);
            var states = (await connection.QueryAsync<(string State, int N)>(new CommandDefinition(StatesSql, cancellationToken: cancellationToken)).ConfigureAwait(false))
                .ToDictionary(r => r.State, r => r.N, StringComparer.Ordinal);
            _latest = new PostgresServerSnapshot(budget.MaxConnections, budget.ReservedConnections, states);
            if (_failing) LogRecovered(_logger);
            _failing = false;
            return true;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            _latest = null;
            // One warning per outage, not one per poll.
            if (!_failing) LogFailed(_logger, e.Message);
            _failing = true;
            return false;
        }
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await PollOnceAsync(stoppingToken).ConfigureAwait(false);
            try
            {
                await Task.Delay(_options.PollInterval, _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        base.Dispose();
        _dataSource.Dispose();
    }

    private static IEnumerable<Measurement<int>> Single(int? value) =>
        value is { } v ? [new Measurement<int>(v)] : [];

    private IEnumerable<Measurement<int>> ByState()
    {
        var latest = _latest;
        if (latest is null) return [];
        return latest.ConnectionsByState.Select(kv => new Measurement<int>(kv.Value, new KeyValuePair<string, object?>("state", kv.Key)));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lifeguard cannot read the PostgreSQL server budget (max_connections, pg_stat_activity): {Reason}. Server gauges are empty until it can.")]
    private static partial void LogFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Lifeguard reads the PostgreSQL server budget again.")]
    private static partial void LogRecovered(ILogger logger);
}
