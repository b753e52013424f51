using Lifeguard.Sizing;

namespace Lifeguard.Tests.Sizing;

public sealed class PoolLoadEstimatorTests
{
    [Fact]
    public void ArrivalRatePerSecond_QueueGrowing_CountsQueuedRequestsAsDemand()
    {
        // The pool grants 40/s while the queue grows by 20/s: 60 requests/s arrive.
        var seconds = Enumerable.Range(0, 6).Select(i => ((double)i, 40.0, 20.0 * i)).ToList();

        PoolLoadEstimator.ArrivalRatePerSecond(seconds).ShouldBe(60, 1e-9);
    }

    [Fact]
    public void ArrivalRatePerSecond_QueueDrainsAfterTheLoadStops_IgnoresTheDrain()
    {
        // Arrivals of 60/s for 5 s (40 granted + 20 queued per second), then the load stops and the queue drains.
        var growing = Enumerable.Range(0, 6).Select(i => ((double)i, 40.0, 20.0 * i));
        var draining = Enumerable.Range(1, 3).Select(i => (5.0 + i, 40.0, 100.0 - (40 * i)));

        PoolLoadEstimator.ArrivalRatePerSecond([.. growing, .. draining]).ShouldBe(60, 1e-9);
    }

    [Fact]
    public void ArrivalRatePerSecond_NoReadings_IsZero() =>
        PoolLoadEstimator.ArrivalRatePerSecond([]).ShouldBe(0);

    [Fact]
    public void SaturationConnections_ConnectionsMostlyWaitingOnTheNetwork_AllowsMoreThanTheCoresRule()
    {
        // 2 busy connections use 0.1 cores: 40 would fill 2 cores.
        var seconds = Enumerable.Range(0, 5).Select(_ => (2.0, 0.1)).ToList();

        PoolLoadEstimator.SaturationConnections(seconds, databaseCores: 2, serverBudget: 97).ShouldBe(40);
    }

    [Fact]
    public void SaturationConnections_CpuBoundConnections_NeverBelowTheCoresRuleNorAboveTheBudget()
    {
        var cpuBound = Enumerable.Range(0, 5).Select(_ => (2.0, 2.0)).ToList();
        var idle = Enumerable.Range(0, 5).Select(_ => (2.0, 0.001)).ToList();

        PoolLoadEstimator.SaturationConnections(cpuBound, databaseCores: 2, serverBudget: 97).ShouldBe(5);
        PoolLoadEstimator.SaturationConnections(idle, databaseCores: 2, serverBudget: 97).ShouldBe(97);
        PoolLoadEstimator.SaturationConnections([], databaseCores: 2, serverBudget: 97).ShouldBeNull();
    }
}
