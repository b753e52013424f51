namespace Lifeguard.Contracts.Tests.State;

public sealed class DurationHistogramTests
{
    [Fact]
    public void Since_EarlierReading_OnlyWhatCameAfter()
    {
        var before = new DurationHistogram([new DurationBucket(0, 0.001, 4)], 4, 0.002);
        var after = new DurationHistogram([new DurationBucket(0, 0.001, 6), new DurationBucket(0.5, 0.6, 1)], 7, 0.6);

        var d = after.Since(before);

        d.Count.ShouldBe(3);
        d.SumSeconds.ShouldBe(0.598, 1e-12);
        d.Buckets.ShouldBe([new DurationBucket(0, 0.001, 2), new DurationBucket(0.5, 0.6, 1)]);
    }

    [Fact]
    public void Cumulative_GapBetweenBuckets_InterpolatesInsideTheBucketOnly()
    {
        var h = new DurationHistogram([new DurationBucket(0, 0.001, 1), new DurationBucket(0.5, 0.6, 1)], 2, 0.6);

        h.Cumulative().ShouldBe([(0, 0), (0.001, 1), (0.5, 1), (0.6, 2)]);
        // The median is the first duration: at most 1 ms, not somewhere between 1 ms and 0.5 s.
        Quantiles.Interpolated(h.Cumulative(), h.Count, 0.5).ShouldBe(0.001, 1e-12);
        Quantiles.Interpolated(h.Cumulative(), h.Count, 1).ShouldBe(0.6, 1e-12);
    }

    private static DurationHistogram Histogram(long below, long above, double sum) =>
        new([new DurationBucket(0, 0.1, below), new DurationBucket(0.1, 1, above)], below + above, sum);

    [Fact]
    public void Quantile_InsideABucket_InterpolatesLikeHistogramQuantile()
    {
        var h = Histogram(10, 90, 42.5);
        // rank 50 lies in (0.1, 1]: 0.1 + 0.9 * (50 - 10) / 90 = 0.5
        h.Quantile(0.5).ShouldBe(0.5, 1e-9);
        h.Quantile(0.05).ShouldBe(0.05, 1e-9);
        double.IsNaN(DurationHistogram.Empty.Quantile(0.99)).ShouldBeTrue();
    }

    [Fact]
    public void Mean_SumOverCount_NaNWhenEmpty()
    {
        Histogram(10, 90, 42.5).Mean.ShouldBe(0.425, 1e-9);
        double.IsNaN(DurationHistogram.Empty.Mean).ShouldBeTrue();
    }

    [Fact]
    public void Since_TwoReadings_MeanAndQuantileOfTheIntervalOnly()
    {
        var before = Histogram(10, 0, 0.5);
        var after = Histogram(10, 20, 20.5);

        var interval = after.Since(before);

        interval.Count.ShouldBe(20);
        interval.Mean.ShouldBe(1.0, 1e-9);
        interval.Quantile(0.5).ShouldBeGreaterThan(0.1); // everything new is above 0.1 s
    }

    [Fact]
    public void Sum_SeveralHistograms_SameBucketsAdded()
    {
        var sum = DurationHistogram.Sum([Histogram(10, 90, 42.5), Histogram(5, 0, 0.1), DurationHistogram.Empty]);

        sum.Count.ShouldBe(105);
        sum.SumSeconds.ShouldBe(42.6, 1e-9);
        sum.Buckets.ShouldBe([new DurationBucket(0, 0.1, 15), new DurationBucket(0.1, 1, 90)]);
        DurationHistogram.Sum([]).Count.ShouldBe(0);
    }

    [Fact]
    public void Json_EmptyHistogram_SerialisesWithoutTheDerivedMean()
    {
        var json = System.Text.Json.JsonSerializer.Serialize(DurationHistogram.Empty, Lifeguard.Contracts.ContractJson.Options);

        json.ShouldNotContain("mean", Case.Insensitive);
        System.Text.Json.JsonSerializer.Deserialize<DurationHistogram>(json, Lifeguard.Contracts.ContractJson.Options)!.Count.ShouldBe(0);
    }
}
