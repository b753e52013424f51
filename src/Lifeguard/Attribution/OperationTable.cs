using System.Collections.Concurrent;
using Lifeguard.Telemetry;

namespace Lifeguard.Attribution;

/// <summary>Hold times per operation with a hard cap on distinct names (the rest go to "other").</summary>
internal sealed class OperationTable(int maxOperations)
{
    internal const string Other = "other";
    internal const string Unknown = "(none)";

    private readonly ConcurrentDictionary<string, LatencyHistogram> _byName = new(StringComparer.Ordinal);
    private int _distinct;

    public void Record(string? operation, TimeSpan held) => Get(operation ?? Unknown).Record(held);

    private LatencyHistogram Get(string name)
    {
        if (_byName.TryGetValue(name, out var h)) return h;
        // Reserve a slot before adding so concurrent first-sightings cannot overshoot the cap.
        if (Interlocked.Increment(ref _distinct) > maxOperations)
        {
            Interlocked.Decrement(ref _distinct);
            return _byName.GetOrAdd(Other, static _ => new LatencyHistogram());
        }
        var added = new LatencyHistogram();
        var actual = _byName.GetOrAdd(name, added);
        if (!ReferenceEquals(actual, added)) Interlocked.Decrement(ref _distinct);
        return actual;
    }

    public IReadOnlyList<OperationStats> Snapshot() =>
        _byName.Select(kv => new OperationStats(kv.Key, kv.Value.Count, kv.Value.SumSeconds, kv.Value.Quantile(0.99), kv.Value.MaxSeconds))
            .OrderByDescending(s => s.TotalHoldSeconds)
            .ThenBy(s => s.Operation, StringComparer.Ordinal)
            .ToList();
}
