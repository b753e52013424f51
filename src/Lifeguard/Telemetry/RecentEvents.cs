namespace Lifeguard.Telemetry;

/// <summary>Timestamps of rare events (pool timeouts, rejections) so health can ask "how many in the last minute".</summary>
internal sealed class RecentEvents(TimeProvider time, TimeSpan window)
{
    private readonly Queue<long> _stamps = new();
    private readonly Lock _lock = new();

    public void Add()
    {
        var now = time.GetTimestamp();
        lock (_lock)
        {
            _stamps.Enqueue(now);
            Prune(now);
        }
    }

    public int Count()
    {
        lock (_lock)
        {
            Prune(time.GetTimestamp());
            return _stamps.Count;
        }
    }

    private void Prune(long now)
    {
        while (_stamps.Count > 0 && time.GetElapsedTime(_stamps.Peek(), now) > window) _stamps.Dequeue();
    }
}
