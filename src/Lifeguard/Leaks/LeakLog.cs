namespace Lifeguard.Leaks;

/// <summary>Bounded ring of the most recent leak reports.</summary>
internal sealed class LeakLog(int capacity)
{
    private readonly LeakReport[] _ring = new LeakReport[capacity];
    private readonly Lock _lock = new();
    private long _added;

    public void Add(LeakReport report)
    {
        lock (_lock) _ring[_added++ % _ring.Length] = report;
    }

    /// <summary>Newest first.</summary>
    public IReadOnlyList<LeakReport> Snapshot()
    {
        lock (_lock)
        {
            var n = (int)Math.Min(_added, _ring.Length);
            var list = new List<LeakReport>(n);
            for (var i = 0; i < n; i++) list.Add(_ring[(_added - 1 - i) % _ring.Length]);
            return list;
        }
    }
}
