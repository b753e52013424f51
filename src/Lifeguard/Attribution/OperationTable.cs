using System.Collections.Concurrent;
using Lifeguard.Telemetry;

namespace Lifeguard.Attribution;

/// <summary>Hold times per operation with a hard cap on distinct names (the rest go to "other").</summary>
internal sealed class OperationTable(int maxOperations)
{
    internal const string Other = "other";
    internal const string Unknown = "(none)";

    private readonly ConcurrentDictionary<string, Entry> _byName = new(StringComparer.Ordinal);
    private int _distinct;
    // Most requests repeat the same (cached) name string: a reference check skips hashing it.
    private Entry? _last;

    private sealed record Entry(string Name, LatencyHistogram Histogram);

    /// <summary>The histogram an operation's hold times go to (null: <see cref="Unknown"/>); the caller records into it
    /// under the tracker's fold lock.</summary>
    public LatencyHistogram HistogramOf(string? operation) => Get(operation ?? Unknown);

    private LatencyHistogram Get(string name)
    {
        var last = Volatile.Read(ref _last);
        if (last is not null && ReferenceEquals(last.Name, name)) return last.Histogram;
        if (!_byName.TryGetValue(name, out var entry))
        {
            // Reserve a slot before adding so concurrent first-sightings cannot overshoot the cap.
            if (Interlocked.Increment(ref _distinct) > maxOperations)
            {
                Interlocked.Decrement(ref _distinct);
                return _byName.GetOrAdd(Other, static n => new Entry(n, new LatencyHistogram())).Histogram;
            }
            var added = new Entry(name, new LatencyHistogram());
            entry = _byName.GetOrAdd(name, added);
            if (!ReferenceEquals(entry, added)) Interlocked.Decrement(ref _distinct);
        }
        Volatile.Write(ref _last, entry);
        return entry.Histogram;
    }

    /// <summary>Adds every operation's buckets into <paramref name="buckets"/>; returns the total sum and the maximum, in seconds.</summary>
    public (double Sum, double Max) MergeInto(long[] buckets)
    {
        double sum = 0, max = 0;
        foreach (var entry in _byName.Values)
        {
            entry.Histogram.AddTo(buckets);
            sum += entry.Histogram.SumSeconds;
            max = Math.Max(max, entry.Histogram.MaxSeconds);
        }
        return (sum, max);
    }

    /// <summary>Every operation's cumulative hold buckets and sum (µs), for interval deltas.</summary>
    public List<(string Operation, long[] Buckets, long SumMicros)> Buckets()
    {
        var all = new List<(string, long[], long)>(_byName.Count);
        foreach (var entry in _byName.Values)
        {
            var buckets = new long[LatencyHistogram.BucketCount];
            entry.Histogram.AddTo(buckets);
            all.Add((entry.Name, buckets, (long)Math.Round(entry.Histogram.SumSeconds * 1e6)));
        }
        return all;
    }

    public IReadOnlyList<OperationStats> Snapshot() =>
        _byName.Select(kv => new OperationStats(kv.Key, kv.Value.Histogram.Count, kv.Value.Histogram.SumSeconds, kv.Value.Histogram.Quantile(0.99), kv.Value.Histogram.MaxSeconds))
            .OrderByDescending(s => s.TotalHoldSeconds)
            .ThenBy(s => s.Operation, StringComparer.Ordinal)
            .ToList();
}
