namespace Incidents.Evidence;

/// <summary>Wakes the evidence worker as soon as an incident opens, instead of at its next poll.</summary>
public sealed class EvidenceSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    /// <summary>Asks the worker to look now.</summary>
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
