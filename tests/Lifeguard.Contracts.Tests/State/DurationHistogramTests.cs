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
}
