using Lifeguard.Sizing;

namespace Lifeguard.Tests.Sizing;

public sealed class HoldTimeDistributionTests
{
    [Fact]
    public void FromMeanAndP99_ExponentialRatio_GivesVariabilityNearOne()
    {
        // An exponential has p99 = mean·ln(100); the lognormal fit through that point is close to Cs² = 1.
        var d = HoldTimeDistribution.FromMeanAndP99(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(10 * Math.Log(100)));
        d.SquaredCoefficientOfVariation.ShouldBeInRange(0.7, 1.3);
    }

    [Fact]
    public void FromMeanAndP99_NearlyConstantHolds_GivesLowVariability()
    {
        var d = HoldTimeDistribution.FromMeanAndP99(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(12));
        d.SquaredCoefficientOfVariation.ShouldBeLessThan(0.01);
    }

    [Fact]
    public void FromMeanAndP99_LongTail_IsCappedAtTen()
    {
        var d = HoldTimeDistribution.FromMeanAndP99(TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(500));
        d.SquaredCoefficientOfVariation.ShouldBe(10);
    }

    [Fact]
    public void HistogramQuantile_InterpolatesInsideTheBucket()
    {
        // 100 observations: 50 ≤ 10 ms, 90 ≤ 50 ms, 100 ≤ 100 ms. p99 = 50 + (99−90)/10·50 = 95 ms.
        var buckets = new List<(double, double)> { (0.01, 50), (0.05, 90), (0.1, 100), (double.PositiveInfinity, 100) };
        HoldTimeDistribution.HistogramQuantile(buckets, 100, 0.99)!.Value.TotalMilliseconds.ShouldBe(95, 1e-6);
        HoldTimeDistribution.HistogramQuantile(buckets, 100, 0.5)!.Value.TotalMilliseconds.ShouldBe(10, 1e-6);
    }

    [Fact]
    public void FromHistogram_MeanIsSumOverCount()
    {
        var buckets = new List<(double, double)> { (0.01, 50), (0.05, 90), (0.1, 100), (double.PositiveInfinity, 100) };
        var d = HoldTimeDistribution.FromHistogram(buckets, sumSeconds: 2.0, count: 100);
        d.Mean.TotalMilliseconds.ShouldBe(20, 1e-9);
        d.P99.TotalMilliseconds.ShouldBe(95, 1e-6);
    }
}
