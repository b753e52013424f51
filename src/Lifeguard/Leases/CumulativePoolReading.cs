namespace Lifeguard.Leases;

/// <summary>A pool's counters and histograms since start, at one moment; two of them make an interval.</summary>
internal sealed record CumulativePoolReading(int InUse, int Max, int Waiters, long[] HoldBuckets, long[] WaitBuckets,
    long Timeouts, long Rejections, long Leaks, int ActiveLeaks, long[] ErrorsByKind);
