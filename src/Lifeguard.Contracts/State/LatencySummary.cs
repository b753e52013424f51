namespace Lifeguard;

/// <summary>Count and percentiles of a set of durations, all in seconds (the unit of the OpenTelemetry pool metrics).
/// The one latency summary of Lifeguard: the guard's snapshots (bucketed percentiles) and the pool load test
/// (<see cref="FromSeconds"/>, exact) both return it.</summary>
/// <param name="Count">Number of durations.</param>
/// <param name="P50">Median, seconds.</param>
/// <param name="P90">90th percentile, seconds.</param>
/// <param name="P99">99th percentile, seconds.</param>
/// <param name="Max">Longest duration, seconds.</param>
/// <param name="Sum">Sum of all durations, seconds.</param>
public sealed record LatencySummary(long Count, double P50, double P90, double P99, double Max, double Sum)
{
    /// <summary>No durations: every figure 0.</summary>
    public static LatencySummary Empty { get; } = new(0, 0, 0, 0, 0, 0);

    /// <summary>Arithmetic mean, seconds; 0 when there are no durations.</summary>
    public double Mean => Count == 0 ? 0 : Sum / Count;

    /// <summary>Summarises durations given in seconds, percentiles by nearest rank over all of them (no bucketing
    /// error); <see cref="Empty"/> when there are none.</summary>
    public static LatencySummary FromSeconds(IEnumerable<double> seconds)
    {
        ArgumentNullException.ThrowIfNull(seconds);
        var sorted = seconds.Order().ToArray();
        if (sorted.Length == 0) return Empty;
        return new LatencySummary(sorted.Length, Quantiles.OfSorted(sorted, 0.50), Quantiles.OfSorted(sorted, 0.90), Quantiles.OfSorted(sorted, 0.99), sorted[^1], sorted.Sum());
    }
}
