using Lifeguard.Fleet;

namespace Lifeguard.Tests.Fleet;

public sealed class FleetSharesTests
{
    private static FleetMember M(string name, int wanted, int poolMax = 60) => new(name, poolMax, wanted, 0);

    [Fact]
    public void Of_DemandFitsTheBudget_EachGetsWhatItNeedsPlusSpareAsHeadroom()
    {
        var shares = FleetShares.Of(30, [M("a", 4), M("b", 6), M("c", 2)]);
        shares.Values.Sum().ShouldBe(30);
        shares["a"].ShouldBeGreaterThanOrEqualTo(4);
        shares["b"].ShouldBeGreaterThanOrEqualTo(6);
        shares["c"].ShouldBeGreaterThanOrEqualTo(2);
    }

    [Fact]
    public void Of_DemandOverTheBudget_SmallKeepsWhatItNeedsBigOnesAreLevelled()
    {
        // 97 usable slots, three instances wanting 60, 60 and 5: the small one keeps its 5, the big ones split 92.
        var shares = FleetShares.Of(97, [M("web-1", 60), M("web-2", 60), M("worker", 5)]);
        shares["worker"].ShouldBe(5);
        shares["web-1"].ShouldBe(46);
        shares["web-2"].ShouldBe(46);
        shares.Values.Sum().ShouldBe(97);
    }

    [Fact]
    public void Of_NeverMoreThanAPoolsMaximum()
    {
        var shares = FleetShares.Of(100, [M("a", 2, poolMax: 4), M("b", 2, poolMax: 8)]);
        shares["a"].ShouldBe(4);
        shares["b"].ShouldBe(8);
    }

    [Fact]
    public void Of_BudgetSmallerThanTheFleet_NeverOverTheBudget()
    {
        var shares = FleetShares.Of(2, [M("a", 5), M("b", 5), M("c", 5)]);
        shares.Values.Sum().ShouldBe(2);
        FleetShares.Of(0, [M("a", 5)])["a"].ShouldBe(0);
        FleetShares.Of(-3, [M("a", 5)])["a"].ShouldBe(0);
    }

    [Fact]
    public void Of_SameRowsInAnyOrder_SameShares()
    {
        var rows = new[] { M("c", 9), M("a", 30), M("b", 1), M("d", 17) };
        var first = FleetShares.Of(41, rows);
        var second = FleetShares.Of(41, rows.Reverse().ToArray());
        second.ShouldBe(first);
    }
}
