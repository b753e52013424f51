using System.Numerics;

namespace Lifeguard.Telemetry;

/// <summary>Lock-free log-linear histogram of durations in microseconds (16 sub-buckets per power of two,
/// so quantiles are within ~6%). Recording is one Interlocked increment, no allocation.</summary>
internal sealed class LatencyHistogram
{
    private const int SubBits = 4;
    private const int SubCount = 1 << SubBits;          // 16
    private const int MaxExponent = 45;                  // 2^45 µs ≈ 1 year: anything longer is clamped
    internal const int BucketCount = SubCount * 2 + (MaxExponent - SubBits - 1) * SubCount;

    private readonly long[] _buckets = new long[BucketCount];
    private long _sumMicros;
    private long _maxMicros;

    /// <summary>Samples recorded; summed from the buckets so recording needs one atomic add fewer.</summary>
    public long Count
    {
        get
        {
            long n = 0;
            for (var i = 0; i < _buckets.Length; i++) n += Volatile.Read(ref _buckets[i]);
            return n;
        }
    }

    public double SumSeconds => Volatile.Read(ref _sumMicros) / 1e6;

    public double MaxSeconds => Volatile.Read(ref _maxMicros) / 1e6;

    public void Record(TimeSpan elapsed) => RecordMicros(elapsed.Ticks / 10);

    public void RecordMicros(long micros)
    {
        if (micros < 0) micros = 0;
        Interlocked.Increment(ref _buckets[IndexOf(micros)]);
        if (micros != 0) Interlocked.Add(ref _sumMicros, micros);
        long max;
        while (micros > (max = Volatile.Read(ref _maxMicros)) && Interlocked.CompareExchange(ref _maxMicros, micros, max) != max) { }
    }

    /// <summary>Records without atomics, for a histogram whose every writer holds one lock (readers need none).</summary>
    public void RecordMicrosUnderLock(long micros)
    {
        if (micros < 0) micros = 0;
        ref var bucket = ref _buckets[IndexOf(micros)];
        Volatile.Write(ref bucket, bucket + 1);
        if (micros != 0) Volatile.Write(ref _sumMicros, _sumMicros + micros);
        if (micros > _maxMicros) Volatile.Write(ref _maxMicros, micros);
    }

    /// <summary>Adds <paramref name="count"/> zero-length samples (atomically; other writers may record concurrently).</summary>
    public void RecordZeros(long count) => Interlocked.Add(ref _buckets[0], count);

    public void Reset()
    {
        Array.Clear(_buckets);
        Volatile.Write(ref _sumMicros, 0);
        Volatile.Write(ref _maxMicros, 0);
    }

    /// <summary>Adds this histogram's buckets into <paramref name="into"/> (for merging windows).</summary>
    public void AddTo(long[] into)
    {
        for (var i = 0; i < _buckets.Length; i++) into[i] += Volatile.Read(ref _buckets[i]);
    }

    /// <summary>The q-quantile (0..1) in seconds; 0 when nothing was recorded.</summary>
    public double Quantile(double q)
    {
        var merged = new long[BucketCount];
        AddTo(merged);
        return Quantile(merged, q, MaxSeconds);
    }

    /// <summary>The q-quantile in seconds of <paramref name="buckets"/> (this histogram's layout): the bucket's upper bound,
    /// capped by the true maximum so a single sample reads back closely; 0 when empty.</summary>
    internal static double Quantile(long[] buckets, double q, double maxSeconds)
    {
        var i = Quantiles.BucketOf(buckets, q);
        if (i < 0) return 0;
        return Math.Min(UpperBoundMicros(i) / 1e6, maxSeconds > 0 ? maxSeconds : double.MaxValue);
    }

    /// <summary>The non-empty <paramref name="buckets"/> (this histogram's layout) as the contract's cumulative form.</summary>
    internal static DurationHistogram ToDurations(long[] buckets, double sumSeconds)
    {
        var list = new List<DurationBucket>();
        long count = 0;
        for (var i = 0; i < buckets.Length; i++)
        {
            if (buckets[i] == 0) continue;
            count += buckets[i];
            list.Add(new DurationBucket(i == 0 ? 0 : UpperBoundMicros(i - 1) / 1e6, UpperBoundMicros(i) / 1e6, buckets[i]));
        }
        return new DurationHistogram(list, count, sumSeconds);
    }

    internal static int IndexOf(long micros)
    {
        if (micros < SubCount * 2) return (int)micros;
        var exponent = 63 - BitOperations.LeadingZeroCount((ulong)micros);
        if (exponent >= MaxExponent) return BucketCount - 1;
        var sub = (int)(micros >> (exponent - SubBits)) & (SubCount - 1);
        return SubCount * 2 + (exponent - SubBits - 1) * SubCount + sub;
    }

    internal static long UpperBoundMicros(int index)
    {
        if (index < SubCount * 2) return index;
        var rel = index - SubCount * 2;
        var exponent = rel / SubCount + SubBits + 1;
        var sub = rel % SubCount;
        var low = (1L << exponent) + ((long)sub << (exponent - SubBits));
        return low + (1L << (exponent - SubBits)) - 1;
    }
}
