using Lifeguard.Cli.Drill;

namespace Lifeguard.Cli.Tests.Drill;

public sealed class DrillTrafficTests
{
    [Theory]
    // 10 connections, 1.5 leases of 200 ms per request: the pool serves 33 req/s; 1.5x that is the surge.
    [InlineData(1.5, 200, 50)]
    // Queries so slow the pool serves less than normal traffic: still twice normal traffic.
    [InlineData(1.5, 5000, 16)]
    // Nothing measured: four times normal traffic, times the factor, within the cap.
    [InlineData(0, 0, 48)]
    // Queries so fast the surge would flood the machine: capped.
    [InlineData(1.5, 10, 150)]
    public void SurgeRate_MeasuredCapacity_IsAnExcessWithinBounds(double leases, double holdMs, double expected) =>
        DrillTraffic.SurgeRate(10, 8, leases, holdMs, 1.5).ShouldBe(expected, 0.1);

    [Theory]
    // 2 connections, 1.5 leases of 20 ms per request: the pool serves ~67 req/s; 2.5x that is the peak.
    [InlineData(1.5, 20, 166.7)]
    // Nothing measured: four times normal traffic serves as the capacity.
    [InlineData(0, 0, 80)]
    // Fast queries: capped at 250 req/s.
    [InlineData(1, 1, 250)]
    public void PeakRate_MisconfiguredPoolCapacity_OverloadsItWithinBounds(double leases, double holdMs, double expected) =>
        DrillTraffic.PeakRate(DrillTraffic.PoolCapacity(2, leases, holdMs, 4 * 8), 8, 2.5).ShouldBe(expected, 0.1);
}
