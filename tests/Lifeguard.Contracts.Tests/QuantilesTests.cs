namespace Lifeguard.Contracts.Tests;

public sealed class QuantilesTests
{
    [Fact]
    public void OfSorted_BetweenKeptPercentiles_NearestRank()
    {
        double[] sorted = [0.1, 0.2, 0.3, 0.4];
        Quantiles.OfSorted(sorted, 0.75).ShouldBe(0.3);
        Quantiles.OfSorted(sorted, 1).ShouldBe(0.4);
        Quantiles.OfSorted(sorted, 0).ShouldBe(0.1);
        Quantiles.OfSorted([], 0.5).ShouldBe(0);
    }

    [Fact]
    public void NearestRank_NeverBelowOne()
    {
        Quantiles.NearestRank(100, 0.99).ShouldBe(99);
        Quantiles.NearestRank(100, 0.991).ShouldBe(100);
        Quantiles.NearestRank(10, 0).ShouldBe(1);
    }

    [Fact]
    public void BucketOf_CountsNotCumulative_BucketOfTheRank()
    {
        long[] counts = [0, 5, 0, 4, 1];
        Quantiles.BucketOf(counts, 0.5).ShouldBe(1);
        Quantiles.BucketOf(counts, 0.9).ShouldBe(3);
        Quantiles.BucketOf(counts, 0.99).ShouldBe(4);
        Quantiles.BucketOf(new long[3], 0.5).ShouldBe(-1);
    }

    [Fact]
    public void Interpolated_InsideTheBucket_AsHistogramQuantile()
    {
        // 10 observations: 4 below 0.1 s, 6 between 0.1 and 0.5 s. The median is rank 5: 1/6 into the second bucket.
        (double, double)[] buckets = [(0.1, 4), (0.5, 10), (double.PositiveInfinity, 10)];
        Quantiles.Interpolated(buckets, 10, 0.5).ShouldBe(0.1 + (0.4 / 6), 1e-12);
        Quantiles.Interpolated(buckets, 10, 0.2).ShouldBe(0.05, 1e-12);
    }

    [Fact]
    public void Interpolated_InTheInfBucket_ItsLowerBound()
    {
        (double, double)[] buckets = [(0.1, 4), (double.PositiveInfinity, 10)];
        Quantiles.Interpolated(buckets, 10, 0.99).ShouldBe(0.1);
    }

    [Fact]
    public void Interpolated_Empty_NaN()
    {
        double.IsNaN(Quantiles.Interpolated([], 10, 0.5)).ShouldBeTrue();
        double.IsNaN(Quantiles.Interpolated([(0.1, 0)], 0, 0.5)).ShouldBeTrue();
    }
}
