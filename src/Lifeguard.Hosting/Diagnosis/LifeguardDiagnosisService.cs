using System.Diagnostics.Metrics;
using Lifeguard.Diagnosis;
using Lifeguard.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Lifeguard.Hosting.Diagnosis;

/// <summary>
/// Samples the primary guarded pool (and the server, when a server signal source such as AddLifeguardPostgres's is
/// registered) once a second and feeds the one <see cref="Diagnoser"/>; exports <c>lifeguard.diagnosis{cause}</c> (1 for
/// the current cause, 0 for the others, every cause from the start) and logs when the cause changes. Runs in any host;
/// registered by AddLifeguardDiagnosis (AddLifeguard calls it), resolvable to read the current diagnosis.
/// </summary>
public sealed partial class LifeguardDiagnosisService : BackgroundService
{
    private readonly GuardedDataSource _guard;
    private readonly PoolSignalSampler _pool;
    private readonly IServerSignalSource? _server;
    private readonly IPoolerSignalSource? _pooler;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Diagnoser _diagnoser;
    private readonly int _historySeconds;

    /// <summary>Created by AddLifeguardDiagnosis.</summary>
    internal LifeguardDiagnosisService(GuardedDataSource guard, IOptions<DiagnosisOptions> options, IServiceProvider services, IMeterFactory meterFactory,
        ILogger<LifeguardDiagnosisService> logger)
    {
        ArgumentNullException.ThrowIfNull(guard);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(meterFactory);
        _guard = guard;
        _pool = new PoolSignalSampler(guard);
        _server = services.GetService<IServerSignalSource>();
        _pooler = services.GetService<IPoolerSignalSource>();
        _time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        _logger = logger;
        _diagnoser = new Diagnoser(options.Value);
        _historySeconds = options.Value.HistorySeconds;
        _diagnoser.CauseChanged += OnCauseChanged;
        var meter = meterFactory.Create(new MeterOptions(LifeguardInstruments.MeterName));
        var pool = new KeyValuePair<string, object?>(LifeguardInstruments.PoolNameTag, guard.PoolName);
        meter.CreateObservableGauge("lifeguard.diagnosis", () =>
        {
            var cause = _diagnoser.Current.Cause;
            return DiagnosisCauses.All.Select(c => new Measurement<int>(c == DiagnosisCauses.NameOf(cause) ? 1 : 0, pool, new("cause", c)));
        }, description: "The diagnosed cause: 1 for the current one, 0 for every other.");
    }

    /// <summary>The latest diagnosis.</summary>
    public Lifeguard.Diagnosis.DiagnosisReport Current => _diagnoser.Current;

    /// <summary>Whether the server's side is observed.</summary>
    public bool ObservesServer => _server is not null;

    /// <summary>How many seconds <see cref="History"/> keeps (Lifeguard:Diagnosis:HistorySeconds).</summary>
    public int HistorySeconds => _historySeconds;

    /// <summary>The per-second history, oldest first.</summary>
    public IReadOnlyList<DiagnosisSecond> History() => _diagnoser.History();

    /// <summary>Samples once and judges it (the background loop calls this every second; tests may call it directly).</summary>
    public async Task<Lifeguard.Diagnosis.DiagnosisReport> SampleOnceAsync(CancellationToken cancellationToken)
    {
        var pool = _pool.Sample();
        // Server and pooler read at once: each on its own connection, so a held pooler does not delay the server's reading.
        var serverTask = _server?.SampleAsync(cancellationToken);
        var poolerTask = _pooler?.SampleAsync(cancellationToken);
        var server = serverTask is null ? null : await serverTask.ConfigureAwait(false);
        var pooler = poolerTask is null ? null : await poolerTask.ConfigureAwait(false);
        return _diagnoser.Observe(new DiagnosisSample(_time.GetUtcNow(), pool, server) { Pooler = pooler });
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), _time);
        try
        {
            do
            {
                try
                {
                    await SampleOnceAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A sampling bug must not end diagnosis for the life of the process.
                    LogSampleFailed(_logger, e);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private void OnCauseChanged(Lifeguard.Diagnosis.DiagnosisReport previous, Lifeguard.Diagnosis.DiagnosisReport current)
    {
        if (current.Cause == DiagnosisCause.Healthy)
            LogRecovered(_logger, _guard.PoolName, DiagnosisCauses.NameOf(previous.Cause));
        else
            LogCause(_logger, _guard.PoolName, DiagnosisCauses.NameOf(current.Cause), DiagnosisCauses.NameOf(previous.Cause), current.Summary, string.Join(" | ", current.Evidence));
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "Lifeguard diagnosis for pool {PoolName}: {Cause} (was {PreviousCause}): {Summary} Evidence: {Evidence}")]
    private static partial void LogCause(ILogger logger, string poolName, string cause, string previousCause, string summary, string evidence);

    [LoggerMessage(EventId = 21, Level = LogLevel.Information, Message = "Lifeguard diagnosis for pool {PoolName}: healthy again (was {PreviousCause})")]
    private static partial void LogRecovered(ILogger logger, string poolName, string previousCause);

    [LoggerMessage(EventId = 22, Level = LogLevel.Error, Message = "Lifeguard diagnosis sample failed")]
    private static partial void LogSampleFailed(ILogger logger, Exception exception);
}
