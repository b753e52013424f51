namespace Lifeguard.Testing.Tests;

public sealed class LatencySummaryTests
{
    [Fact]
    public void FromSeconds_OneToHundred_NearestRankPercentiles()
    {
        var s = LatencySummary.FromSeconds(Enumerable.Range(1, 100).Select(i => i / 1000.0).Reverse());
        s.Count.ShouldBe(100);
        s.P50.TotalMilliseconds.ShouldBe(50, 1e-9);
        s.P90.TotalMilliseconds.ShouldBe(90, 1e-9);
        s.P99.TotalMilliseconds.ShouldBe(99, 1e-9);
        s.Max.TotalMilliseconds.ShouldBe(100, 1e-9);
        s.Mean.TotalMilliseconds.ShouldBe(50.5, 1e-9);
    }

    [Fact]
    public void FromSeconds_Empty_IsAllZero()
    {
        LatencySummary.FromSeconds([]).ShouldBe(new LatencySummary(0, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero));
    }
}
