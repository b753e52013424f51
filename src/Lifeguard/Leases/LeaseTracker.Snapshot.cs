using Lifeguard.Attribution;
using Lifeguard.Telemetry;

namespace Lifeguard.Leases;

// What readers see: the snapshot for the live page and health, cumulative counts for the diagnoser, operations for the export.
internal sealed partial class LeaseTracker
{
    /// <summary>Everything counted since start, for per-interval deltas.</summary>
    internal Totals ReadCumulative()
    {
        Fold();
        var hold = new long[LatencyHistogram.BucketCount];
        if (_hold is not null) _hold.AddTo(hold);
        else _operations!.MergeInto(hold);
        var wait = new long[LatencyHistogram.BucketCount];
        _waitTotal.AddTo(wait);
        var errors = new long[_errorsByKind.Length];
        for (var i = 0; i < errors.Length; i++) errors[i] = Volatile.Read(ref _errorsByKind[i]);
        return new Totals(InUse, EffectiveMax, Waiters, hold, wait, Volatile.Read(ref _timeouts), Volatile.Read(ref _rejections),
            _leakWatch?.Total ?? 0, _leakWatch?.Active ?? 0, errors, _operations?.Buckets() ?? []);
    }

    /// <summary>The tracker's raw counters and bucket arrays since start, for the sampler's per-second deltas only: not a
    /// reading anyone else sees (that is <see cref="PoolSnapshot"/>, and per second <see cref="Diagnosis.PoolSecond"/>).</summary>
    /// <remarks><paramref name="Operations"/>: hold buckets and sum (µs) per operation, empty when operations are not tracked.</remarks>
    internal sealed record Totals(int InUse, int Max, int Waiters, long[] HoldBuckets, long[] WaitBuckets,
        long Timeouts, long Rejections, long Leaks, int ActiveLeaks, long[] ErrorsByKind,
        IReadOnlyList<(string Operation, long[] Buckets, long SumMicros)> Operations);

    /// <summary>Hold time per operation so far (empty when operations are not tracked); the metrics export reads it.</summary>
    internal IReadOnlyList<OperationStats> OperationSnapshot()
    {
        Fold();
        return _operations?.Snapshot() ?? [];
    }

    public PoolSnapshot Snapshot()
    {
        Fold();
        var (idle, exact) = ReadCounts();
        var holdBuckets = new long[LatencyHistogram.BucketCount];
        var hold = HoldSummary(holdBuckets);
        var waitBuckets = new long[LatencyHistogram.BucketCount];
        _waitTotal.AddTo(waitBuckets);
        return new PoolSnapshot
        {
            PoolName = PoolName,
            InUse = InUse,
            Idle = idle,
            IdleIsExact = exact,
            Max = EffectiveMax,
            Waiters = Waiters,
            Leases = hold.Count + InUse,
            Timeouts = Volatile.Read(ref _timeouts),
            RecentTimeouts = _recentTimeouts.Count(),
            Rejections = Volatile.Read(ref _rejections),
            RecentRejections = _recentRejections.Count(),
            Errors = Volatile.Read(ref _errors),
            Leaks = _leakWatch?.Total ?? 0,
            ActiveLeaks = _leakWatch?.Active ?? 0,
            Wait = new LatencySummary(_recentWait.Count, _recentWait.Quantile(0.5), _recentWait.Quantile(0.9), _recentWait.Quantile(0.99), _recentWait.Quantile(1), _recentWait.SumSeconds),
            RecentWaitP99 = _recentWait.Quantile(0.99),
            Hold = hold,
            WaitTotal = LatencyHistogram.ToDurations(waitBuckets, _waitTotal.SumSeconds),
            HoldTotal = LatencyHistogram.ToDurations(holdBuckets, hold.Sum),
            Operations = _operations?.Snapshot() ?? [],
            RecentLeaks = _leakWatch?.Recent() ?? [],
            Clock = ClockDescription,
        };
    }

    private LatencySummary HoldSummary(long[] buckets)
    {
        double sum = 0, max = 0;
        if (_hold is not null)
        {
            _hold.AddTo(buckets);
            (sum, max) = (_hold.SumSeconds, _hold.MaxSeconds);
        }
        else
        {
            (sum, max) = _operations!.MergeInto(buckets);
        }
        long count = 0;
        foreach (var b in buckets) count += b;
        return new LatencySummary(count, LatencyHistogram.Quantile(buckets, 0.5, max), LatencyHistogram.Quantile(buckets, 0.9, max),
            LatencyHistogram.Quantile(buckets, 0.99, max), max, sum);
    }
}
