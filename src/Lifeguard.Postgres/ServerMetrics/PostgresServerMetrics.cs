using System.Diagnostics.Metrics;
using Lifeguard.Postgres.Diagnosis;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Lifeguard.Postgres.ServerMetrics;

/// <summary>
/// Exports what only the server knows, so alerts can set every instance's pool against the server's budget:
/// lifeguard.postgres.max_connections, .reserved_connections and .connections{state} (meter "Lifeguard"). It reads the
/// server reader's latest sample, the one the diagnoser judged, rather than querying again; it samples the reader
/// itself only when nothing else did within the poll interval. While the server cannot be read the gauges report
/// nothing, rather than a stale budget.
/// </summary>
internal sealed partial class PostgresServerMetrics : BackgroundService
{
    /// <summary>The meter the instruments belong to (the guard's).</summary>
    public const string MeterName = "Lifeguard";

    private readonly PostgresServerSignalSource _reader;
    private readonly PostgresServerMetricsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Creates the exporter over <paramref name="reader"/>.</summary>
    public PostgresServerMetrics(PostgresServerSignalSource reader, IOptions<PostgresServerMetricsOptions> options, IMeterFactory meterFactory, TimeProvider time,
        ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(meterFactory);
        _reader = reader;
        _options = options.Value;
        _time = time;
        _logger = logger ?? NullLogger.Instance;

        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableGauge("lifeguard.postgres.max_connections", () => Single(Latest?.Signals.MaxConnections), "{connection}", "PostgreSQL max_connections.");
        meter.CreateObservableGauge("lifeguard.postgres.reserved_connections", () => Single(Latest?.Signals.ReservedConnections), "{connection}", "Slots applications cannot use (superuser_reserved_connections, + reserved_connections on 16+).");
        meter.CreateObservableGauge("lifeguard.postgres.connections", ByState, "{connection}", "Client backends on the server by pg_stat_activity.state.");
    }

    /// <summary>The reader's latest sample when it read the server; null before the first or while it cannot.</summary>
    public PostgresServerReading? Latest =>
        _reader.Latest is { Signals.Reachable: true, ConnectionsByState: not null } reading ? reading : null;

    /// <summary>Samples the reader unless it was sampled within the poll interval; false (gauges empty) when the server
    /// could not be read.</summary>
    public async Task<bool> PollOnceAsync(CancellationToken cancellationToken)
    {
        var last = _reader.Latest;
        if (last is null || _time.GetElapsedTime(last.Timestamp) >= _options.PollInterval)
        {
            await _reader.SampleAsync(cancellationToken).ConfigureAwait(false);
        }
        return Latest is not null;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await PollOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // The reader reports outages itself; anything else must not end the export (or the host) for good.
                LogPollFailed(_logger, e);
            }
            try
            {
                await Task.Delay(_options.PollInterval, _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private static IEnumerable<Measurement<int>> Single(int? value) =>
        value is { } v ? [new Measurement<int>(v)] : [];

    private IEnumerable<Measurement<int>> ByState()
    {
        var latest = Latest;
        if (latest?.ConnectionsByState is not { } byState) return [];
        return byState.Select(kv => new Measurement<int>(kv.Value, new KeyValuePair<string, object?>("state", kv.Key)));
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Lifeguard's server metrics could not sample the server reader")]
    private static partial void LogPollFailed(ILogger logger, Exception exception);
}
