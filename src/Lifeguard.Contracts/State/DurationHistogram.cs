using System.Text.Json.Serialization;

namespace Lifeguard;

/// <summary>The cumulative form of a pool reading: durations counted since the guard started, in the guard's own fine
/// buckets (empty ones left out), with the exact count and sum. Two readings a while apart give what happened in between
/// (<see cref="Since"/>), which is how the CLI measures a window without Prometheus.</summary>
/// <param name="Buckets">Non-empty buckets, shortest first.</param>
/// <param name="Count">Durations counted.</param>
/// <param name="SumSeconds">Their sum, seconds.</param>
public sealed record DurationHistogram(IReadOnlyList<DurationBucket> Buckets, long Count, double SumSeconds)
{
    /// <summary>Nothing counted.</summary>
    public static DurationHistogram Empty { get; } = new([], 0, 0);

    /// <summary>Mean duration, seconds; NaN when nothing was counted. Derived, so not part of the JSON (where NaN
    /// would not serialise anyway).</summary>
    [JsonIgnore]
    public double Mean => Count <= 0 ? double.NaN : SumSeconds / Count;

    /// <summary>The <paramref name="q"/>-quantile in seconds, interpolated inside its bucket as PromQL's
    /// <c>histogram_quantile</c> (<see cref="Quantiles.Interpolated"/> over <see cref="Cumulative"/>); NaN when nothing was counted.</summary>
    public double Quantile(double q) => Quantiles.Interpolated(Cumulative(), Count, q);

    /// <summary>Several histograms (say, every pool's) as one: counts of the same bucket added.</summary>
    public static DurationHistogram Sum(IEnumerable<DurationHistogram> histograms)
    {
        ArgumentNullException.ThrowIfNull(histograms);
        var list = histograms.ToList();
        if (list.Count == 1) return list[0];
        var buckets = list.SelectMany(h => h.Buckets)
            .GroupBy(b => (b.AboveSeconds, b.UpToSeconds))
            .Select(g => new DurationBucket(g.Key.AboveSeconds, g.Key.UpToSeconds, g.Sum(b => b.Count)))
            .OrderBy(b => b.UpToSeconds)
            .ToList();
        return new DurationHistogram(buckets, list.Sum(h => h.Count), list.Sum(h => h.SumSeconds));
    }

    /// <summary>What was counted after <paramref name="earlier"/> (a reading of the same histogram).</summary>
    public DurationHistogram Since(DurationHistogram earlier)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        var before = earlier.Buckets.ToDictionary(b => b.UpToSeconds, b => b.Count);
        var buckets = Buckets.Select(b => b with { Count = Math.Max(0, b.Count - before.GetValueOrDefault(b.UpToSeconds)) })
            .Where(b => b.Count > 0).ToList();
        return new DurationHistogram(buckets, Math.Max(0, Count - earlier.Count), Math.Max(0, SumSeconds - earlier.SumSeconds));
    }

    /// <summary>The buckets as Prometheus exports a histogram, (upper bound, cumulative count), with a point at each
    /// bucket's lower bound so <see cref="Quantiles.Interpolated"/> interpolates inside the bucket, not across empty ones.</summary>
    public IReadOnlyList<(double UpperBound, double CumulativeCount)> Cumulative()
    {
        var points = new SortedDictionary<double, double>();
        double seen = 0;
        foreach (var b in Buckets.OrderBy(b => b.UpToSeconds))
        {
            points[b.AboveSeconds] = Math.Max(points.GetValueOrDefault(b.AboveSeconds), seen);
            seen += b.Count;
            points[b.UpToSeconds] = seen;
        }
        return [.. points.Select(p => (p.Key, p.Value))];
    }
}
