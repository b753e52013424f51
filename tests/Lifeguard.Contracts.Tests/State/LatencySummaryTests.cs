namespace Lifeguard.Contracts.Tests.State;

public sealed class LatencySummaryTests
{
    [Fact]
    public void FromSeconds_OneToHundredMs_NearestRankPercentilesInSeconds()
    {
        var s = LatencySummary.FromSeconds(Enumerable.Range(1, 100).Select(i => i / 1000.0).Reverse());
        s.Count.ShouldBe(100);
        s.P50.ShouldBe(0.050, 1e-12);
        s.P90.ShouldBe(0.090, 1e-12);
        s.P99.ShouldBe(0.099, 1e-12);
        s.Max.ShouldBe(0.100, 1e-12);
        s.Sum.ShouldBe(5.05, 1e-9);
        s.Mean.ShouldBe(0.0505, 1e-12);
    }

    [Fact]
    public void FromSeconds_Empty_IsAllZero()
    {
        var s = LatencySummary.FromSeconds([]);
        s.ShouldBe(LatencySummary.Empty);
        s.Mean.ShouldBe(0);
    }
}
