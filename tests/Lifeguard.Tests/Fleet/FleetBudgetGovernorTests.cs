using Lifeguard.Fleet;

namespace Lifeguard.Tests.Fleet;

/// <summary>The fleet's demand under the governor: a governed instance may open no more than its published claim.</summary>
public sealed class FleetBudgetGovernorTests
{
    private static FleetInstance I(string name, int poolMax, int? claim) => new() { Service = "web", Instance = name, PoolMax = poolMax, Claim = claim };

    [Fact]
    public void Of_GovernedPoolsOverTheSlots_CountedAtTheirClaims_NotOversubscribed()
    {
        var b = FleetBudget.Of(17, 7, [I("a", 8, 3), I("b", 8, 3), I("c", 8, 2)]);
        b.Demand.ShouldBe(8);
        b.Oversubscribed.ShouldBeFalse();
    }

    [Fact]
    public void Of_OneInstanceWithoutTheGovernor_CountedAtItsMaximum()
    {
        var b = FleetBudget.Of(17, 7, [I("a", 8, 3), I("b", 8, null)]);
        b.Demand.ShouldBe(11);
        b.Oversubscribed.ShouldBeTrue();
    }
}
