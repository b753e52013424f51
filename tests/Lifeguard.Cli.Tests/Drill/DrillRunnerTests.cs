using Lifeguard.Cli.Drill;

namespace Lifeguard.Cli.Tests.Drill;

public sealed class MeasuredDemandTests
{
    [Fact]
    public void MeasuredDemand_QueueGrowing_CountsQueuedRequestsAsDemand()
    {
        // The pool grants 40/s while the queue grows by 20/s: 60 requests/s arrive.
        var samples = Enumerable.Range(0, 6).Select(i => new DrillSample { T = i, Phase = "incident", LeaseRequestRate = 40, PoolPending = 20 * i }).ToList();

        DrillRunner.MeasuredDemand(samples).ShouldBe(60, 1e-9);
    }
}

public sealed class MeasuredDemandDrainTests
{
    [Fact]
    public void MeasuredDemand_QueueDrainsAfterTheLoadStops_IgnoresTheDrain()
    {
        // Arrivals of 60/s for 5 s (40 granted + 20 queued per second), then the load stops and the queue drains.
        var growing = Enumerable.Range(0, 6).Select(i => new DrillSample { T = i, Phase = "incident", LeaseRequestRate = 40, PoolPending = 20 * i });
        var draining = Enumerable.Range(1, 3).Select(i => new DrillSample { T = 5 + i, Phase = "incident", LeaseRequestRate = 40, PoolPending = 100 - (40 * i) });

        DrillRunner.MeasuredDemand([.. growing, .. draining]).ShouldBe(60, 1e-9);
    }
}

public sealed class MeasuredSaturationTests
{
    [Fact]
    public void MeasuredSaturation_ConnectionsMostlyWaitingOnTheNetwork_AllowsMoreThanTheCoresRule()
    {
        // 2 busy connections use 0.1 cores: 40 would fill 2 cores.
        var samples = Enumerable.Range(0, 5).Select(i => new DrillSample { T = i, Phase = "incident", PoolUsed = 2, DbCpuCores = 0.1 }).ToList();

        DrillRunner.MeasuredSaturation(samples, cores: 2, budget: 97).ShouldBe(40);
    }

    [Fact]
    public void MeasuredSaturation_CpuBoundConnections_NeverBelowTheCoresRuleNorAboveTheBudget()
    {
        var cpuBound = Enumerable.Range(0, 5).Select(i => new DrillSample { T = i, Phase = "incident", PoolUsed = 2, DbCpuCores = 2 }).ToList();
        var idle = Enumerable.Range(0, 5).Select(i => new DrillSample { T = i, Phase = "incident", PoolUsed = 2, DbCpuCores = 0.001 }).ToList();

        DrillRunner.MeasuredSaturation(cpuBound, cores: 2, budget: 97).ShouldBe(5);
        DrillRunner.MeasuredSaturation(idle, cores: 2, budget: 97).ShouldBe(97);
        DrillRunner.MeasuredSaturation([], cores: 2, budget: 97).ShouldBeNull();
    }
}
