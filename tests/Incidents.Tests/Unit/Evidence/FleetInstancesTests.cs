using Incidents.Evidence;

namespace Incidents.Tests.Unit;

public sealed class FleetInstancesTests
{
    [Fact]
    public void Parse_KeepsWellFormedPairsInOrder_AndDropsTheRest()
    {
        var fleet = FleetInstances.Parse("127.0.0.1:5080=60 web-2=40 [::1]:5084=1.5e1 noequals =5 a=b x=1;rm ");
        fleet.Select(f => f.Instance).ShouldBe(["127.0.0.1:5080", "web-2", "[::1]:5084"]);
        fleet.Select(f => f.PoolMax).ShouldBe([60d, 40d, 15d]);
    }

    [Fact]
    public void Parse_IsBounded()
    {
        FleetInstances.Parse(string.Join(' ', Enumerable.Range(0, 100).Select(i => $"i{i}=1"))).Count.ShouldBe(32);
        FleetInstances.Parse(null).ShouldBeEmpty();
        FleetInstances.Parse("   ").ShouldBeEmpty();
    }

    [Fact]
    public void Describe_NamesEveryInstanceAndTheSum()
    {
        FleetInstances.Describe(FleetInstances.Parse("a:1=60 b:2=40"), "db:5432/app")
            .ShouldBe("Fleet evidence from the alert: 2 instance(s) on db:5432/app, pool max each (largest first): a:1 60, b:2 40; 100 in all.");
        FleetInstances.Describe([], "p").ShouldBeNull();
    }
}
