using Lifeguard.Fleet;

namespace Lifeguard.Tests.Fleet;

public sealed class FleetBudgetTests
{
    private static FleetInstance I(string name, int poolMax, int held) => new() { Service = "web", Instance = name, PoolMax = poolMax, SlotsHeld = held };

    [Fact]
    public void Of_TwoPoolsOfSixtyOnNinetySevenSlots_Oversubscribed_FortySixEachFits()
    {
        // The case: 2 × 60 against 97 usable slots; 4 slots held by other clients (readers, tools).
        var b = FleetBudget.Of(97, clientBackends: 87, [I("a", 60, 42), I("b", 60, 41)]);
        b.OtherClients.ShouldBe(4);
        b.Budget.ShouldBe(93);
        b.Demand.ShouldBe(120);
        b.Oversubscribed.ShouldBeTrue();
        b.FitsPerInstance.ShouldBe(46);
    }

    [Fact]
    public void Of_PoolsWithinTheBudget_NotOversubscribed()
    {
        var b = FleetBudget.Of(97, 10, [I("a", 8, 4), I("b", 8, 4)]);
        b.Oversubscribed.ShouldBeFalse();
        b.Budget.ShouldBe(95);
    }

    [Fact]
    public void Of_NoInstances_NothingFits()
    {
        FleetBudget.Of(17, 3, []).FitsPerInstance.ShouldBe(0);
    }
}
