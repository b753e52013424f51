using System.Data.Common;
using Lifeguard;
using Lifeguard.Attribution;
using Lifeguard.Diagnosis;
using Lifeguard.Hosting.Diagnosis;

namespace WorkerService;

/// <summary>A periodic job on the guarded pool; its leases are attributed to "cleanup", and its pool and the current
/// diagnosis are logged.</summary>
public sealed partial class CleanupWorker(DbDataSource db, LifeguardDiagnosisService diagnosis, ILogger<CleanupWorker> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(10));
        do
        {
            using (LifeguardOperation.Begin("cleanup"))
            {
                await using var connection = await db.OpenConnectionAsync(stoppingToken);
                await using var cmd = connection.CreateCommand();
                cmd.CommandText = "SELECT count(*) FROM pg_stat_activity";
                await cmd.ExecuteScalarAsync(stoppingToken);
            }
            if (db is GuardedDataSource guard)
            {
                var s = guard.Snapshot();
                LogPool(logger, s.PoolName, s.InUse, s.Max, s.Wait.P99 * 1000);
            }
            // The diagnoser samples once a second from the host's start; before its first sample there is nothing to say.
            if (diagnosis.Current is { Signals: not null } current) LogDiagnosis(logger, DiagnosisCauses.NameOf(current.Cause), current.Summary);
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(1, LogLevel.Information, "Pool {Pool}: {InUse}/{Max} in use, wait p99 {WaitP99Ms:0.###} ms")]
    private static partial void LogPool(ILogger logger, string pool, int inUse, int max, double waitP99Ms);

    [LoggerMessage(2, LogLevel.Information, "Diagnosis: {Cause}: {Summary}")]
    private static partial void LogDiagnosis(ILogger logger, string cause, string summary);
}
