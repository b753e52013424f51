namespace Lifeguard;

/// <summary>
/// The one place Lifeguard computes quantiles. Two estimators, because the data differ: exact samples and the guard's
/// fine log-linear buckets use the nearest rank (a value that was observed, or its bucket's bound); Prometheus's coarse
/// cumulative buckets interpolate inside the bucket, as PromQL's <c>histogram_quantile</c> does.
/// </summary>
public static class Quantiles
{
    /// <summary>The 1-based nearest rank of quantile <paramref name="q"/> among <paramref name="count"/> values (at least 1).</summary>
    public static long NearestRank(long count, double q) => Math.Max(1, (long)Math.Ceiling(q * count));

    /// <summary>The quantile <paramref name="q"/> in (0, 1] of values sorted ascending, by nearest rank; 0 when there are none.</summary>
    public static double OfSorted(IReadOnlyList<double> sorted, double q)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Count == 0) return 0;
        return sorted[(int)Math.Clamp(NearestRank(sorted.Count, q) - 1, 0, sorted.Count - 1)];
    }

    /// <summary>The index of the bucket holding the nearest-rank quantile <paramref name="q"/> of per-bucket counts
    /// (buckets in ascending order, counts not cumulative); -1 when every bucket is empty.</summary>
    public static int BucketOf(ReadOnlySpan<long> counts, double q)
    {
        long total = 0;
        foreach (var c in counts) total += c;
        if (total == 0) return -1;
        var rank = NearestRank(total, q);
        long seen = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            seen += counts[i];
            if (seen >= rank) return i;
        }
        return counts.Length - 1;
    }

    /// <summary>The quantile <paramref name="q"/> of a cumulative histogram (upper bound, cumulative count), interpolated
    /// linearly inside its bucket as PromQL's <c>histogram_quantile</c>; <paramref name="total"/> is the observations'
    /// count. NaN when there are no buckets or no observations.</summary>
    public static double Interpolated(IReadOnlyList<(double UpperBound, double CumulativeCount)> buckets, double total, double q)
    {
        ArgumentNullException.ThrowIfNull(buckets);
        if (buckets.Count == 0 || total <= 0) return double.NaN;
        var rank = q * total;
        double lowerBound = 0, lowerCount = 0;
        foreach (var (upper, cumulative) in buckets.OrderBy(b => b.UpperBound))
        {
            if (cumulative >= rank)
            {
                // The +Inf bucket has no width: report its lower bound, as histogram_quantile does.
                if (double.IsPositiveInfinity(upper)) return lowerBound;
                var inBucket = cumulative - lowerCount;
                return inBucket <= 0 ? upper : lowerBound + ((upper - lowerBound) * (rank - lowerCount) / inBucket);
            }
            lowerBound = upper;
            lowerCount = cumulative;
        }
        return lowerBound;
    }
}
