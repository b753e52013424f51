using Lifeguard.Cli.Metrics;

namespace Lifeguard.Cli.Tests.Metrics;

public sealed class LifeguardStateReaderTests
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
    public void AllPools_OnePool_IsThatPool()
    {
        var main = Pool("main", 2, 3, Histogram(10, 90, 42.5), Histogram(1, 0, 0.01));

        LifeguardStateReader.AllPools(LifeguardState.Of(main, [main])).ShouldBeSameAs(main);
        var alone = LifeguardState.Of(main, []);
        LifeguardStateReader.AllPools(alone).ShouldBeSameAs(alone);
    }

    [Fact]
    public void AllPools_SeveralPools_CountsAndHistogramsSummed()
    {
        var main = Pool("main", 2, 3, Histogram(10, 90, 42.5), Histogram(1, 0, 0.01));
        var reports = Pool("reports", 1, 1, Histogram(5, 0, 0.1), DurationHistogram.Empty);

        var all = LifeguardStateReader.AllPools(LifeguardState.Of(main, [main, reports]));

        all.InUse.ShouldBe(3);
        all.Idle.ShouldBe(2);
        all.Max.ShouldBe(4);
        all.Waiters.ShouldBe(14);
        all.Timeouts.ShouldBe(4);
        all.WaitTotal.Count.ShouldBe(105);
        all.WaitTotal.SumSeconds.ShouldBe(42.6, 1e-9);
        all.HoldTotal.Count.ShouldBe(1);
    }
}
