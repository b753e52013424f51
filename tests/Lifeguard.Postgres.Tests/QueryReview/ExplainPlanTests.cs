using Lifeguard.Postgres.QueryReview;

namespace Lifeguard.Postgres.Tests.QueryReview;

public sealed class ExplainPlanTests
{
    [Fact]
    public void Parse_AnalyzedPlan_ReadsTreeTimesAndCounters()
    {
        // SELECT count(*) FROM orders WHERE customer_id = 7 AND product_id = 3 (no parallel workers)
        var plan = RecordedPlans.Load("seq_scan_analyzed");
        plan.IsAnalyzed.ShouldBeTrue();
        plan.ExecutionMs.ShouldNotBeNull().ShouldBeGreaterThan(0);
        plan.Root.NodeType.ShouldBe("Aggregate");
        var scan = plan.Root.Children.ShouldHaveSingleItem();
        scan.Id.ShouldBe(2);
        scan.NodeType.ShouldBe("Seq Scan");
        scan.RelationName.ShouldBe("orders");
        scan.RowsRemovedByFilter.ShouldNotBeNull().ShouldBeGreaterThan(1_900_000);
        scan.SharedHitBlocks.ShouldNotBeNull();
        scan.Describe().ShouldBe("Seq Scan on orders (node 2)");
    }

    [Fact]
    public void Parse_GenericPlan_HasCostsButNoActuals()
    {
        var plan = RecordedPlans.Load("seq_scan_generic");
        plan.IsAnalyzed.ShouldBeFalse();
        plan.ExecutionMs.ShouldBeNull();
        plan.TotalCost.ShouldBeGreaterThan(10_000);
        plan.Nodes.Single(n => n.NodeType == "Seq Scan").Filter.ShouldNotBeNull().ShouldContain("$1");
    }

    [Fact]
    public void ExclusiveTimes_ParallelScan_CountsWorkersOnceAndNeverExceedsTheStatement()
    {
        var plan = RecordedPlans.Load("parallel_seq_scan_analyzed");
        var times = PlanRules.ExclusiveTimes(plan.Root);
        var scan = plan.Nodes.Single(n => n.NodeType == "Seq Scan");
        times[scan].ShouldBeLessThanOrEqualTo(plan.ExecutionMs!.Value);
        times.Values.Sum().ShouldBeLessThanOrEqualTo(plan.ExecutionMs!.Value * 1.01);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("{\"x\": 1}")]
    public void Parse_NotAPlan_Throws(string json) => Should.Throw<FormatException>(() => ExplainPlan.Parse(json));
}
