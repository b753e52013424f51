using Lifeguard.Cli.Drill;

namespace Lifeguard.Cli.Tests.Drill;

public sealed class IncidentDetectorTests
{
    private static DrillSample Healthy(double t) => new()
    {
        T = t, Phase = "normal", Requests = 8, P99Ms = 60, P50Ms = 30, PoolUsed = 1, PoolMax = 2,
        HoldP99Ms = 25, HoldMeanMs = 20, WaitP99Ms = 1, DbActive = 1, DbCpuCores = 0.1,
    };

    private static DrillSample Saturated(double t) => new()
    {
        T = t, Phase = "incident", Requests = 60, Errors = 2, P99Ms = 9000, P50Ms = 6000, PoolUsed = 2, PoolMax = 2,
        PoolPending = 140, WaitP99Ms = 8800, HoldP99Ms = 28, HoldMeanMs = 21, DbActive = 2, DbCpuCores = 0.3,
    };

    private static IncidentDetector Trained()
    {
        var d = new IncidentDetector(sloMs: 1000, databaseCores: 2);
        d.LearnBaseline([Healthy(1), Healthy(2), Healthy(3)]);
        return d;
    }

    [Fact]
    public void Observe_HealthySeconds_DetectsNothing()
    {
        var d = Trained();
        for (var t = 0; t < 20; t++) d.Observe(Healthy(t)).ShouldBeNull();
    }

    [Fact]
    public void Observe_PoolPinnedWithQueueAndIdleDatabase_NamesPoolSaturationAfterSustain()
    {
        var d = Trained();

        d.Observe(Saturated(10)).ShouldBeNull();
        d.Observe(Saturated(11)).ShouldBeNull();
        var cause = d.Observe(Saturated(12));

        cause.ShouldNotBeNull();
        cause.Kind.ShouldBe("pool_saturation");
        cause.Evidence.ShouldContain(e => e.Contains("pinned at the maximum"));
        cause.Evidence.ShouldContain(e => e.Contains("queries are not slower"));
    }

    [Fact]
    public void Observe_SymptomInterrupted_RestartsTheSustainWindow()
    {
        var d = Trained();
        d.Observe(Saturated(10));
        d.Observe(Saturated(11));
        d.Observe(Healthy(12)).ShouldBeNull();
        d.Observe(Saturated(13)).ShouldBeNull();
    }

    [Fact]
    public void Diagnose_HoldTimesGrewAndPoolNotQueued_NamesSlowQueries()
    {
        var d = Trained();
        var slow = Saturated(1) with { PoolPending = 0, WaitP99Ms = 5, HoldP99Ms = 2500, PoolUsed = 1 };

        d.Diagnose([slow, slow, slow]).Kind.ShouldBe("slow_queries");
    }

    [Fact]
    public void Diagnose_DatabaseOnAllCores_NamesDatabaseCpuNotThePool()
    {
        var d = Trained();
        var hot = Saturated(1) with { DbCpuCores = 1.9 };

        d.Diagnose([hot, hot, hot]).Kind.ShouldBe("database_cpu");
    }

    [Fact]
    public void Diagnose_LeaksReported_NamesConnectionLeak()
    {
        var d = Trained();
        var leaking = Saturated(1) with { Leaks = 1 };

        d.Diagnose([leaking, Saturated(2), Saturated(3)]).Kind.ShouldBe("connection_leak");
    }
}

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
