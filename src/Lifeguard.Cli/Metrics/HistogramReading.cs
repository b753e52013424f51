namespace Lifeguard.Cli.Metrics;

/// <summary>A cumulative duration histogram of the guard (wait or hold), with what the drill and the sweep derive from it.</summary>
internal sealed record HistogramReading(DurationHistogram Durations)
{
    /// <summary>Several pools' histograms as one.</summary>
    public static HistogramReading Of(IEnumerable<DurationHistogram> histograms)
    {
        var list = histograms.ToList();
        if (list.Count == 1) return new HistogramReading(list[0]);
        var buckets = list.SelectMany(h => h.Buckets)
            .GroupBy(b => (b.AboveSeconds, b.UpToSeconds))
            .Select(g => new DurationBucket(g.Key.AboveSeconds, g.Key.UpToSeconds, g.Sum(b => b.Count)))
            .OrderBy(b => b.UpToSeconds)
            .ToList();
        return new HistogramReading(new DurationHistogram(buckets, list.Sum(h => h.Count), list.Sum(h => h.SumSeconds)));
    }

    /// <summary>This reading minus an earlier one: the observations made in between.</summary>
    public HistogramReading Since(HistogramReading earlier) => new(Durations.Since(earlier.Durations));

    /// <summary>Upper bound (seconds) to cumulative count, as Prometheus exports a histogram.</summary>
    public IReadOnlyList<(double UpperBound, double CumulativeCount)> Buckets => Durations.Cumulative();

    public double Sum => Durations.SumSeconds;

    public double Count => Durations.Count;

    /// <summary>The q-quantile in seconds, NaN when nothing was observed.</summary>
    public double Quantile(double q) => Quantiles.Interpolated(Buckets, Count, q);

    public double Mean => Count <= 0 ? double.NaN : Sum / Count;
}
