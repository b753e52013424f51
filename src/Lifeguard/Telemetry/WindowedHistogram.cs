namespace Lifeguard.Telemetry;

/// <summary>Durations over roughly the last window: two half-window histograms that rotate, so health can
/// recover after a bad minute instead of carrying the whole process history.</summary>
internal sealed class WindowedHistogram
{
    private readonly TimeProvider _time;
    private readonly long _halfWindowTicks;
    private readonly Lock _rotate = new();
    private LatencyHistogram _current = new();
    private LatencyHistogram _previous = new();
    private long _currentStarted;

    public WindowedHistogram(TimeProvider time, TimeSpan window)
    {
        _time = time;
        _halfWindowTicks = Math.Max(1, (long)(window.TotalSeconds / 2 * time.TimestampFrequency));
        _currentStarted = time.GetTimestamp();
    }

    /// <summary>Records a duration that ended at <paramref name="now"/> (a timestamp of the same TimeProvider).</summary>
    public void Record(TimeSpan elapsed, long now)
    {
        RotateIfDue(now);
        Volatile.Read(ref _current).Record(elapsed);
    }

    /// <summary>Records <paramref name="count"/> zero durations observed up to <paramref name="now"/>.</summary>
    public void RecordZeros(long count, long now)
    {
        if (count == 0) return;
        RotateIfDue(now);
        Volatile.Read(ref _current).RecordZeros(count);
    }

    public long Count
    {
        get
        {
            RotateIfDue(_time.GetTimestamp());
            return Volatile.Read(ref _current).Count + Volatile.Read(ref _previous).Count;
        }
    }

    public double SumSeconds => Volatile.Read(ref _current).SumSeconds + Volatile.Read(ref _previous).SumSeconds;

    public double Quantile(double q)
    {
        RotateIfDue(_time.GetTimestamp());
        var merged = new long[LatencyHistogram.BucketCount];
        var cur = Volatile.Read(ref _current);
        var prev = Volatile.Read(ref _previous);
        cur.AddTo(merged);
        prev.AddTo(merged);
        return LatencyHistogram.Quantile(merged, q, Math.Max(cur.MaxSeconds, prev.MaxSeconds));
    }

    private void RotateIfDue(long now)
    {
        if (now - Volatile.Read(ref _currentStarted) < _halfWindowTicks) return;
        lock (_rotate)
        {
            var started = _currentStarted;
            if (now - started < _halfWindowTicks) return;
            var old = _previous;
            old.Reset();
            // Two half-windows elapsed with nothing recorded: the current one is stale too.
            if (now - started >= 2 * _halfWindowTicks) _current.Reset();
            _previous = _current;
            _current = old;
            Volatile.Write(ref _currentStarted, now);
        }
    }
}
