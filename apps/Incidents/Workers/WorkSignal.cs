namespace Incidents.Workers;

/// <summary>Wakes this replica's <typeparamref name="TWorker"/> as soon as it has work (a just-committed incident or delivery), instead of at its next poll; other replicas find the work by polling.</summary>
/// <typeparam name="TWorker">The worker it wakes (one signal per worker type, registered as an open generic).</typeparam>
public sealed class WorkSignal<TWorker>
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    /// <summary>Wakes the worker if it waits; call after the transaction that made the work committed (before, it would find nothing).</summary>
    public void Wake()
    {
        if (_signal.CurrentCount == 0)
        {
            try { _signal.Release(); } catch (SemaphoreFullException) { /* already woken */ }
        }
    }

    /// <summary>Waits for a wake-up or the timeout.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);
}
