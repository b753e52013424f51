namespace Lifeguard.Sizing;

/// <summary>
/// How long a lease keeps its connection (the pool's use_time): mean, p99 and the squared
/// coefficient of variation that tells how far it is from the exponential M/M/c assumes.
/// </summary>
public sealed class HoldTimeDistribution
{
    // z of the 99th percentile of a standard normal, for the lognormal fit of mean + p99.
    private const double Z99 = 2.3263478740408408;

    // An exponential hold time has p99 = mean·ln(100) and squared coefficient of variation 1.
    private static readonly double ExponentialP99OverMean = Math.Log(100);

    private HoldTimeDistribution(TimeSpan mean, TimeSpan p99, double squaredCoefficientOfVariation)
    {
        Mean = mean;
        P99 = p99;
        SquaredCoefficientOfVariation = squaredCoefficientOfVariation;
    }

    /// <summary>Mean hold time.</summary>
    public TimeSpan Mean { get; }

    /// <summary>99th percentile of the hold time (estimated as exponential when not measured).</summary>
    public TimeSpan P99 { get; }

    /// <summary>Variance divided by mean squared: 1 for exponential, 0 for constant, above 1 for long-tailed holds.</summary>
    public double SquaredCoefficientOfVariation { get; }

    /// <summary>Only the mean is known: assume exponential holds, as M/M/c does.</summary>
    public static HoldTimeDistribution FromMean(TimeSpan mean)
    {
        RequirePositive(mean, nameof(mean));
        return new HoldTimeDistribution(mean, TimeSpan.FromSeconds(mean.TotalSeconds * ExponentialP99OverMean), 1);
    }

    /// <summary>
    /// Mean and p99 are known: fit a lognormal through both (mean = e^{m+σ²/2}, p99 = e^{m+z·σ})
    /// and take its variability, e^{σ²} − 1, capped at 10 so one freak outlier cannot dominate.
    /// </summary>
    public static HoldTimeDistribution FromMeanAndP99(TimeSpan mean, TimeSpan p99)
    {
        RequirePositive(mean, nameof(mean));
        RequirePositive(p99, nameof(p99));
        var ratio = p99.TotalSeconds / mean.TotalSeconds;
        double scv;
        if (ratio <= 1)
        {
            scv = 0;
        }
        else
        {
            // ln(ratio) = zσ − σ²/2: the smaller root is the fit; beyond z²/2 no lognormal fits, so take the widest.
            var discriminant = Z99 * Z99 - 2 * Math.Log(ratio);
            var sigma = discriminant <= 0 ? Z99 : Z99 - Math.Sqrt(discriminant);
            scv = Math.Min(10, Math.Exp(sigma * sigma) - 1);
        }
        return new HoldTimeDistribution(mean, p99, scv);
    }

    /// <summary>
    /// From a cumulative histogram as Prometheus exports it (upper bounds in seconds with cumulative
    /// counts, plus the exact sum and count): mean = sum/count, p99 interpolated inside its bucket.
    /// </summary>
    public static HoldTimeDistribution FromHistogram(IReadOnlyList<(double UpperBoundSeconds, double CumulativeCount)> buckets, double sumSeconds, double count)
    {
        ArgumentNullException.ThrowIfNull(buckets);
        if (count <= 0) throw new ArgumentOutOfRangeException(nameof(count), count, "The histogram holds no observations.");
        if (sumSeconds <= 0) throw new ArgumentOutOfRangeException(nameof(sumSeconds), sumSeconds, "The histogram's sum must be positive.");
        var mean = TimeSpan.FromSeconds(sumSeconds / count);
        var p99 = HistogramQuantile(buckets, count, 0.99);
        return p99 is { } value && value > TimeSpan.Zero ? FromMeanAndP99(mean, value) : FromMean(mean);
    }

    /// <summary>The quantile of a cumulative histogram by linear interpolation inside the bucket (as PromQL's histogram_quantile).</summary>
    public static TimeSpan? HistogramQuantile(IReadOnlyList<(double UpperBoundSeconds, double CumulativeCount)> buckets, double count, double quantile)
    {
        ArgumentNullException.ThrowIfNull(buckets);
        var seconds = Quantiles.Interpolated([.. buckets.Select(b => (b.UpperBoundSeconds, b.CumulativeCount))], count, quantile);
        return double.IsNaN(seconds) ? null : TimeSpan.FromSeconds(seconds);
    }

    private static void RequirePositive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(name, value, "A hold time must be positive.");
    }
}
