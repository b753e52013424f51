using Lifeguard.Leases;
using Lifeguard.Telemetry;

namespace Lifeguard.Diagnosis;

/// <summary>Turns a guard's running totals into one <see cref="PoolSecond"/> per call: what happened since the previous
/// call (the first call covers everything since the guard started).</summary>
public sealed class PoolSignalSampler
{
    private readonly LeaseTracker _tracker;
    private readonly Lock _lock = new();
    private LeaseTracker.Totals? _previous;

    /// <summary>Samples <paramref name="guard"/>.</summary>
    public PoolSignalSampler(GuardedDataSource guard)
    {
        ArgumentNullException.ThrowIfNull(guard);
        _tracker = guard.Tracker;
    }

    /// <summary>The interval since the previous call.</summary>
    public PoolSecond Sample()
    {
        lock (_lock)
        {
            var now = _tracker.ReadCumulative();
            var before = _previous;
            _previous = now;
            var hold = Delta(now.HoldBuckets, before?.HoldBuckets);
            var wait = Delta(now.WaitBuckets, before?.WaitBuckets);
            long Errors(ConnectionErrorKind k) => now.ErrorsByKind[(int)k] - (before?.ErrorsByKind[(int)k] ?? 0);
            return new PoolSecond
            {
                InUse = now.InUse,
                Max = now.Max,
                Waiters = now.Waiters,
                Leases = Count(wait),
                WaitP99Ms = Quantile(wait, 0.99),
                HoldP50Ms = Quantile(hold, 0.5),
                HoldP99Ms = Quantile(hold, 0.99),
                Returned = Count(hold),
                Timeouts = (int)(now.Timeouts - (before?.Timeouts ?? 0)),
                Rejections = (int)(now.Rejections - (before?.Rejections ?? 0)),
                NewLeaks = (int)(now.Leaks - (before?.Leaks ?? 0)),
                ActiveLeaks = now.ActiveLeaks,
                Operations = Operations(now, before),
                Errors = new ConnectionErrorCounts
                {
                    TooManyConnections = (int)Errors(ConnectionErrorKind.TooManyConnections),
                    ServerUnavailable = (int)Errors(ConnectionErrorKind.ServerUnavailable),
                    Deadlocks = (int)Errors(ConnectionErrorKind.Deadlock),
                    LockTimeouts = (int)Errors(ConnectionErrorKind.LockTimeout),
                    StatementTimeouts = (int)Errors(ConnectionErrorKind.StatementTimeout),
                    Other = (int)Errors(ConnectionErrorKind.Other),
                },
            };
        }
    }

    // Which routes took the connection-time this interval: "connections are held longer" says little until it names one.
    private static List<OperationHold> Operations(LeaseTracker.Totals now, LeaseTracker.Totals? before)
    {
        if (now.Operations.Count == 0) return [];
        var earlier = before?.Operations.ToDictionary(o => o.Operation, StringComparer.Ordinal);
        var deltas = new List<(string Operation, long[] Buckets, long Count, double TotalMs)>();
        foreach (var (operation, buckets, sum) in now.Operations)
        {
            var prior = earlier is not null && earlier.TryGetValue(operation, out var p) ? p : default;
            var d = Delta(buckets, prior.Buckets);
            var count = Count(d);
            if (count > 0) deltas.Add((operation, d, count, Math.Max(0, sum - prior.SumMicros) / 1000.0));
        }
        var all = deltas.Sum(x => x.TotalMs);
        return deltas.OrderByDescending(x => x.TotalMs).ThenBy(x => x.Operation, StringComparer.Ordinal).Take(5)
            .Select(x => new OperationHold(x.Operation, x.Count, Quantile(x.Buckets, 0.99), Math.Round(x.TotalMs, 3), all <= 0 ? 0 : Math.Round(x.TotalMs / all, 3)))
            .ToList();
    }

    private static long[] Delta(long[] now, long[]? before)
    {
        if (before is null) return now;
        var d = new long[now.Length];
        for (var i = 0; i < d.Length; i++) d[i] = Math.Max(0, now[i] - before[i]);
        return d;
    }

    private static long Count(long[] buckets)
    {
        long n = 0;
        foreach (var b in buckets) n += b;
        return n;
    }

    private static double Quantile(long[] buckets, double q)
    {
        var top = Array.FindLastIndex(buckets, b => b > 0);
        if (top < 0) return 0;
        return Math.Round(LatencyHistogram.Quantile(buckets, q, LatencyHistogram.UpperBoundMicros(top) / 1e6) * 1000, 3);
    }
}
