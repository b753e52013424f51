namespace Incidents.Escalation;

/// <summary>Wakes this replica's escalation worker when a step or delivery was just written (others find it by polling).</summary>
public sealed class EscalationSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    /// <summary>Wakes the worker if it waits.</summary>
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
