using System.ComponentModel.DataAnnotations;
using Lifeguard.Sizing;

namespace Lifeguard.Tests.Sizing;

public sealed class PoolSizingAdvisorTests
{
    private static PoolSizingInput Input(double rate, double holdMs, Action<PoolSizingInput>? configure = null)
    {
        var input = new PoolSizingInput
        {
            ArrivalRatePerSecond = rate,
            Hold = HoldTimeDistribution.FromMean(TimeSpan.FromMilliseconds(holdMs)),
            WaitGoal = TimeSpan.FromMilliseconds(50),
        };
        configure?.Invoke(input);
        return input;
    }

    [Fact]
    public void Recommend_ModerateLoad_PicksSmallestSizeMeetingGoalPlusBurstHeadroom()
    {
        // 200 leases/s × 20 ms = 4 erlangs. Goal p99 ≤ 50 ms.
        var input = Input(200, 20, i => i.BurstFactor = 1.0);
        var r = PoolSizingAdvisor.Recommend(input);

        r.Verdict.ShouldBe(SizingVerdict.Recommended);
        r.OfferedLoad.ShouldBe(4, 1e-9);
        r.MaximumPoolSize.ShouldBe(r.SmallestSizeMeetingGoal!.Value);
        r.PredictedGoalQuantileWait!.Value.ShouldBeLessThanOrEqualTo(TimeSpan.FromMilliseconds(50));
        // One connection fewer must miss the goal, or the size was not the smallest.
        ErlangC.WaitQuantile(200, TimeSpan.FromMilliseconds(20), r.MaximumPoolSize - 1, 0.99).ShouldBeGreaterThan(TimeSpan.FromMilliseconds(50));
        r.MinimumPoolSize.ShouldBe(4);
        r.Reasons.ShouldNotBeEmpty();
    }

    [Fact]
    public void Recommend_BurstFactor_AddsHeadroomAboveTheSmallestSize()
    {
        var plain = PoolSizingAdvisor.Recommend(Input(200, 20, i => i.BurstFactor = 1.0));
        var burst = PoolSizingAdvisor.Recommend(Input(200, 20, i => i.BurstFactor = 1.5));
        burst.MaximumPoolSize.ShouldBeGreaterThan(plain.MaximumPoolSize);
        burst.SmallestSizeMeetingGoal.ShouldBe(plain.SmallestSizeMeetingGoal);
    }

    [Fact]
    public void Recommend_FleetLoadAboveUsefulParallelism_SaysDatabaseIsTheBottleneck()
    {
        // 2 cores -> useful parallelism 5; 4 instances × 100/s × 20 ms = 8 erlangs > 5.
        var r = PoolSizingAdvisor.Recommend(Input(100, 20, i => { i.DatabaseCores = 2; i.Instances = 4; }));

        r.Verdict.ShouldBe(SizingVerdict.DatabaseBottleneck);
        r.FleetOfferedLoad.ShouldBe(8, 1e-9);
        r.MaximumPoolSize.ShouldBe(2); // cores × 4 = 8 across 4 instances, not an absurd number
        r.Reasons.ShouldContain(s => s.Contains("bottleneck", StringComparison.Ordinal));
    }

    [Fact]
    public void Recommend_HugeLoadWithoutDatabaseLimits_StillReturnsFiniteSize()
    {
        var r = PoolSizingAdvisor.Recommend(Input(100_000, 50)); // 5,000 erlangs
        r.Verdict.ShouldBe(SizingVerdict.Recommended);
        r.MaximumPoolSize.ShouldBeInRange(5_001, 7_000);
    }

    [Fact]
    public void Recommend_ServerBudgetTooSmallForGoal_CapsAtBudgetAndSaysGoalNotMet()
    {
        // 20 erlangs per instance needs > 20 connections; 100 − 3 reserved − 7 others = 90 over 10 instances = 9 each.
        var r = PoolSizingAdvisor.Recommend(Input(1_000, 20, i =>
        {
            i.ServerMaxConnections = 100; i.ReservedConnections = 3; i.OtherClientConnections = 7; i.Instances = 10;
        }));

        r.Verdict.ShouldBe(SizingVerdict.GoalNotMetWithinCap);
        r.BudgetPerInstance.ShouldBe(9);
        r.MaximumPoolSize.ShouldBe(9);
        r.PredictedGoalQuantileWait.ShouldBeNull(); // 20 erlangs on 9 connections is unstable
        r.Reasons.ShouldContain(s => s.Contains("connection budget", StringComparison.Ordinal));
    }

    [Fact]
    public void Recommend_NoBudgetLeft_SaysSo()
    {
        var r = PoolSizingAdvisor.Recommend(Input(10, 10, i => { i.ServerMaxConnections = 10; i.ReservedConnections = 3; i.OtherClientConnections = 7; }));
        r.Verdict.ShouldBe(SizingVerdict.NoConnectionBudget);
        r.MaximumPoolSize.ShouldBe(0);
    }

    [Fact]
    public void Recommend_Timeout_IsWholeSecondsAndShorterThanBudget()
    {
        var r = PoolSizingAdvisor.Recommend(Input(50, 10, i => i.RequestBudget = TimeSpan.FromSeconds(10)));
        r.Timeout.ShouldBe(TimeSpan.FromSeconds(3));
        r.Timeout.ShouldBeLessThan(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void Recommend_LongTailedHolds_NeedAtLeastAsManyConnectionsAsExponential()
    {
        var exponential = PoolSizingAdvisor.Recommend(Input(200, 20));
        var tailed = PoolSizingAdvisor.Recommend(Input(200, 20, i => i.Hold = HoldTimeDistribution.FromMeanAndP99(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(400))));
        tailed.MaximumPoolSize.ShouldBeGreaterThan(exponential.MaximumPoolSize);
    }

    [Fact]
    public void Recommend_InvalidInput_Throws()
    {
        Should.Throw<ValidationException>(() => PoolSizingAdvisor.Recommend(Input(-1, 10)));
        Should.Throw<ValidationException>(() => PoolSizingAdvisor.Recommend(Input(1, 10, i => i.Instances = 0)));
    }

    [Fact]
    public void Recommend_MeasuredSaturationPoint_OverridesCores()
    {
        var r = PoolSizingAdvisor.Recommend(Input(100, 20, i => { i.DatabaseCores = 64; i.DatabaseSaturationConnections = 6; }));
        r.UsefulParallelism.ShouldBe(6);
        r.MaximumPoolSize.ShouldBeLessThanOrEqualTo(6);
    }
}
