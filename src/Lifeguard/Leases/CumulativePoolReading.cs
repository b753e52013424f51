namespace Lifeguard.Leases;

/// <summary>A pool's counters and histograms since start, at one moment; two of them make an interval.</summary>
/// <remarks><paramref name="Operations"/>: hold buckets and sum (µs) per operation, empty when operations are not tracked.</remarks>
internal sealed record CumulativePoolReading(int InUse, int Max, int Waiters, long[] HoldBuckets, long[] WaitBuckets,
    long Timeouts, long Rejections, long Leaks, int ActiveLeaks, long[] ErrorsByKind,
    IReadOnlyList<(string Operation, long[] Buckets, long SumMicros)> Operations);
