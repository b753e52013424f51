using Lifeguard.Postgres.QueryReview;

namespace Lifeguard.Postgres.Tests.QueryReview;

public sealed class PlanBaselineTests
{
    private const string Totals = "SELECT count(*) FROM orders WHERE workspace_id = $1";

    [Fact]
    public void Compare_CostDoubled_IsACostRegression()
    {
        var r = PlanBaseline.Compare([new PlanSnapshot(1, Totals, 100, [])], [new PlanSnapshot(2, "SELECT count(*)\n  FROM orders WHERE workspace_id = $1", 250, [])]);
        var regression = r.ShouldHaveSingleItem();
        regression.Kind.ShouldBe("cost");
        regression.Detail.ShouldContain("100 -> 250 (2.5x");
    }

    [Fact]
    public void Compare_NewSeqScanOnLargeTable_IsARegressionEvenWhenCostIsBelowDouble()
    {
        var r = PlanBaseline.Compare([new PlanSnapshot(1, Totals, 100, [])], [new PlanSnapshot(1, Totals, 150, ["orders"])]);
        r.ShouldHaveSingleItem().Kind.ShouldBe("seq_scan");
    }

    [Fact]
    public void Compare_SameOrBetterPlans_NoRegression()
    {
        PlanBaseline.Compare([new PlanSnapshot(1, Totals, 100, ["orders"])], [new PlanSnapshot(1, Totals, 199, ["orders"]), new PlanSnapshot(3, "SELECT 1", 9999, ["x"])]).ShouldBeEmpty();
    }

    [Fact]
    public void Compare_BaselineHadNoPlanEither_NothingToCompare()
    {
        PlanBaseline.Compare([new PlanSnapshot(1, Totals, null, [])], [new PlanSnapshot(null, Totals, null, [], "42P18 could not determine data type of parameter $1")]).ShouldBeEmpty();
    }

    [Fact]
    public void Compare_StatementCannotBePlannedAnyMore_IsReported()
    {
        PlanBaseline.Compare([new PlanSnapshot(1, Totals, 100, [])], [new PlanSnapshot(null, Totals, null, [], "42703 column \"workspace_id\" does not exist")])
            .ShouldHaveSingleItem().Kind.ShouldBe("no_plan");
    }
}
