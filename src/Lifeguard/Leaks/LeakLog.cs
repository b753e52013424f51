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

    /// <summary>Puts <paramref name="updated"/> where <paramref name="report"/> is, if the ring still holds it.</summary>
    public void Replace(LeakReport report, LeakReport updated)
    {
        lock (_lock)
        {
            var i = Array.IndexOf(_ring, report);
            if (i >= 0) _ring[i] = updated;
        }
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
