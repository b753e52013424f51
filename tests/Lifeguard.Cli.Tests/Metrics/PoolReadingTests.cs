using Lifeguard.Cli.Metrics;

namespace Lifeguard.Cli.Tests.Metrics;

public sealed class PoolReadingTests
{
    private static PoolSnapshot Pool(string name, int inUse, long timeouts, DurationHistogram wait, DurationHistogram hold) => new()
    {
        PoolName = name, InUse = inUse, Idle = 1, IdleIsExact = true, Max = 2, Waiters = 7, Leases = 100, Timeouts = timeouts,
        RecentTimeouts = 0, Rejections = 0, RecentRejections = 0, Errors = 0, Leaks = 0, ActiveLeaks = 0,
        Wait = LatencySummary.Empty, RecentWaitP99 = 0, Hold = LatencySummary.Empty, WaitTotal = wait, HoldTotal = hold,
        Operations = [], RecentLeaks = [],
    };

    private static DurationHistogram Histogram(long below, long above, double sum) =>
        new([new DurationBucket(0, 0.1, below), new DurationBucket(0.1, 1, above)], below + above, sum);

    [Fact]
    public void From_State_DistilsOnePoolOrAll()
    {
        var main = Pool("main", 2, 3, Histogram(10, 90, 42.5), Histogram(1, 0, 0.01));
        var reports = Pool("reports", 1, 1, Histogram(5, 0, 0.1), DurationHistogram.Empty);
        var state = LifeguardState.Of(main, [main, reports]);

        var r = PoolReading.From(state, "main");
        r.Used.ShouldBe(2);
        r.Idle.ShouldBe(1);
        r.Max.ShouldBe(2);
        r.Pending.ShouldBe(7);
        r.TimeoutsTotal.ShouldBe(3);
        r.Wait.Count.ShouldBe(100);
        r.Wait.Mean.ShouldBe(0.425, 1e-9);

        var all = PoolReading.From(state);
        all.Used.ShouldBe(3);
        all.TimeoutsTotal.ShouldBe(4);
        all.Wait.Count.ShouldBe(105);
    }

    [Fact]
    public void HistogramQuantile_InsideABucket_InterpolatesLikeHistogramQuantile()
    {
        var h = new HistogramReading(Histogram(10, 90, 42.5));
        // rank 50 lies in (0.1, 1]: 0.1 + 0.9 * (50 - 10) / 90 = 0.5
        h.Quantile(0.5).ShouldBe(0.5, 1e-9);
        h.Quantile(0.05).ShouldBe(0.05, 1e-9);
        double.IsNaN(new HistogramReading(DurationHistogram.Empty).Quantile(0.99)).ShouldBeTrue();
    }

    [Fact]
    public void HistogramSince_TwoReadings_GivesTheIntervalOnly()
    {
        var before = new HistogramReading(Histogram(10, 0, 0.5));
        var after = new HistogramReading(Histogram(10, 20, 20.5));

        var interval = after.Since(before);

        interval.Count.ShouldBe(20);
        interval.Mean.ShouldBe(1.0, 1e-9);
        interval.Quantile(0.5).ShouldBeGreaterThan(0.1); // everything new is above 0.1 s
    }
}
