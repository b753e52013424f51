namespace Lifeguard.Testing;

/// <summary>Percentiles of a set of durations (nearest rank over all samples, no bucketing error).</summary>
/// <param name="Count">Number of samples.</param>
/// <param name="Mean">Arithmetic mean.</param>
/// <param name="P50">Median.</param>
/// <param name="P90">90th percentile.</param>
/// <param name="P99">99th percentile.</param>
/// <param name="Max">Largest sample.</param>
public sealed record LatencySummary(int Count, TimeSpan Mean, TimeSpan P50, TimeSpan P90, TimeSpan P99, TimeSpan Max)
{
    /// <summary>Summarises samples given in seconds; all zero when there are none.</summary>
    public static LatencySummary FromSeconds(IEnumerable<double> seconds)
    {
        ArgumentNullException.ThrowIfNull(seconds);
        var sorted = seconds.Order().ToArray();
        if (sorted.Length == 0) return new LatencySummary(0, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);
        TimeSpan At(double q) => TimeSpan.FromSeconds(sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)]);
        return new LatencySummary(sorted.Length, TimeSpan.FromSeconds(sorted.Average()), At(0.50), At(0.90), At(0.99), TimeSpan.FromSeconds(sorted[^1]));
    }

    /// <summary>The quantile q in (0, 1] by nearest rank, for other percentiles than the ones kept.</summary>
    public static TimeSpan Quantile(IReadOnlyList<double> sortedSeconds, double q)
    {
        ArgumentNullException.ThrowIfNull(sortedSeconds);
        if (sortedSeconds.Count == 0) return TimeSpan.Zero;
        return TimeSpan.FromSeconds(sortedSeconds[Math.Clamp((int)Math.Ceiling(q * sortedSeconds.Count) - 1, 0, sortedSeconds.Count - 1)]);
    }
}
