using Npgsql;

namespace Incidents.Workers;

/// <summary>
/// A queue worker on the service's database: drains every due job, then sleeps until woken by its <see cref="WorkSignal{TWorker}"/>
/// or the poll interval passes. An unreachable database is logged and retried at the next poll, never fatal.
/// </summary>
/// <typeparam name="TWorker">The worker itself (names its signal).</typeparam>
public abstract class PollingWorker<TWorker>(WorkSignal<TWorker> signal, ILogger logger) : BackgroundService
{
    /// <summary>How long to sleep when no job is due and nobody wakes the worker.</summary>
    protected abstract TimeSpan PollInterval { get; }

    /// <summary>The worker's name in logs.</summary>
    protected abstract string Name { get; }

    /// <summary>Takes one due job; false when none was due.</summary>
    protected abstract Task<bool> WorkOnceAsync(CancellationToken ct);

    /// <summary>Runs again as soon as the current round ends (the worker just made work for itself).</summary>
    protected void WakeSelf() => signal.Wake();

    /// <inheritdoc />
    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await WorkOnceAsync(stoppingToken))
                {
                }
            }
            // the guard rethrows Npgsql's exceptions unchanged; its own admission rejection (a saturated pool) is as transient
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or Lifeguard.PoolAdmissionRejectedException)
            {
                logger.LogWarning("{Worker}: the database is not reachable ({Message}); retrying", Name, ex.Message);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            try
            {
                await signal.WaitAsync(PollInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
