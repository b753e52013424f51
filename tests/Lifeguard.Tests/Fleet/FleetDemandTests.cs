using Lifeguard.Fleet;

namespace Lifeguard.Tests.Fleet;

public sealed class FleetDemandTests
{
    [Fact]
    public void Wanted_IdleInstance_OneConnection() =>
        FleetDemand.Wanted(0, TimeSpan.Zero, TimeSpan.Zero, inUse: 0, waiting: 0, poolMax: 60).ShouldBe(1);

    [Fact]
    public void Wanted_MeasuredLoad_AtLeastTheOfferedLoad()
    {
        // 400 leases/s holding 20 ms: 8 connections busy on average; the goal needs more than that.
        var wanted = FleetDemand.Wanted(400, TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(40), inUse: 5, waiting: 0, poolMax: 60);
        wanted.ShouldBeGreaterThan(8);
        wanted.ShouldBeLessThan(30);
    }

    [Fact]
    public void Wanted_Queueing_AtLeastInUsePlusWaiting() =>
        FleetDemand.Wanted(10, TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(5), inUse: 6, waiting: 9, poolMax: 60).ShouldBe(15);

    [Fact]
    public void Wanted_NeverAboveThePool() =>
        FleetDemand.Wanted(10_000, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(90), inUse: 8, waiting: 40, poolMax: 8).ShouldBe(8);
}
