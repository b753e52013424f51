using System.Globalization;
using Lifeguard.Postgres.QueryReview;

namespace Lifeguard.Postgres.Tests.QueryReview;

/// <summary>
/// The anchors' thresholds at their edges (PEV2: node share 10/40/90%, row estimate 10/100/1000x, rows removed by a
/// filter 50/90%, hash batches > 1; heap fetches from 10%), on plans shaped exactly as EXPLAIN (ANALYZE, FORMAT JSON)
/// prints them, with only the numbers under test changed; and pgMustard's ranking by the time a fix would save.
/// </summary>
public sealed class PlanRuleThresholdsTests
{
    private static readonly PlanFacts Small = new(new Dictionary<string, double> { ["t"] = 1_000 });

    private static string Json(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    /// <summary>An Aggregate over a Seq Scan of t; the scan spends <paramref name="scanMs"/> of the 100 ms itself.</summary>
    private static ExplainPlan AggregateOverScan(double scanMs) => ExplainPlan.Parse(Json($$$"""
        [{"Plan": {"Node Type": "Aggregate", "Startup Cost": 20, "Total Cost": 20, "Plan Rows": 1, "Actual Total Time": 100, "Actual Rows": 1, "Actual Loops": 1,
          "Plans": [{"Node Type": "Seq Scan", "Parent Relationship": "Outer", "Relation Name": "t", "Alias": "t", "Startup Cost": 0, "Total Cost": 15,
                     "Plan Rows": 1000, "Actual Total Time": {{{scanMs}}}, "Actual Rows": 1000, "Actual Loops": 1}]},
          "Planning Time": 0.1, "Execution Time": 100}]
        """));

    /// <summary>One Seq Scan of t (10 ms, estimated <paramref name="planRows"/>), with a filter that kept and removed rows as given.</summary>
    private static ExplainPlan Scan(double planRows, double actualRows, double removed = 0) => ExplainPlan.Parse(Json($$$"""
        [{"Plan": {"Node Type": "Seq Scan", "Relation Name": "t", "Alias": "t", "Startup Cost": 0, "Total Cost": 15, "Plan Rows": {{{planRows}}},
                   "Actual Total Time": 10, "Actual Rows": {{{actualRows}}}, "Actual Loops": 1, "Filter": "(x = 1)", "Rows Removed by Filter": {{{removed}}}},
          "Planning Time": 0.1, "Execution Time": 10}]
        """));

    [Theory]
    [InlineData(5, null)]
    [InlineData(9.9, null)]
    [InlineData(15, FindingLevel.Low)]
    [InlineData(40, FindingLevel.Low)]
    [InlineData(50, FindingLevel.Medium)]
    [InlineData(90, FindingLevel.Medium)]
    [InlineData(95, FindingLevel.High)]
    public void Evaluate_NodeShareOfTime_LevelsAt10And40And90Percent(double scanPercent, FindingLevel? expected)
    {
        var finding = PlanRules.Evaluate(AggregateOverScan(scanPercent), Small)
            .SingleOrDefault(f => f.Rule == PlanRules.SlowNode && f.Node.StartsWith("Seq Scan", StringComparison.Ordinal));
        if (expected is null)
        {
            finding.ShouldBeNull();
            return;
        }
        finding.ShouldNotBeNull().Level.ShouldBe(expected.Value);
        finding.Detail.ShouldContain(Json($"{scanPercent / 100:P0} of the execution time"));
    }

    [Theory]
    [InlineData(100, 500, null)]
    [InlineData(100, 1_000, null)]
    [InlineData(100, 2_000, FindingLevel.Low)]
    [InlineData(100, 20_000, FindingLevel.Medium)]
    [InlineData(100, 200_000, FindingLevel.High)]
    [InlineData(200_000, 100, FindingLevel.High)]
    [InlineData(5, 90, null)] // a misestimate among a handful of rows changes no plan
    public void Evaluate_RowEstimateOff_LevelsAt10And100And1000Times(double planRows, double actualRows, FindingLevel? expected)
    {
        var finding = PlanRules.Evaluate(Scan(planRows, actualRows), Small).SingleOrDefault(f => f.Rule == PlanRules.RowEstimate);
        if (expected is null)
        {
            finding.ShouldBeNull();
            return;
        }
        finding.ShouldNotBeNull().Level.ShouldBe(expected.Value);
        finding.Detail.ShouldContain(actualRows > planRows ? "underestimated" : "overestimated");
    }

    [Theory]
    [InlineData(60, 40, null)]
    [InlineData(50, 50, null)]
    [InlineData(40, 60, FindingLevel.Medium)]
    [InlineData(10, 90, FindingLevel.Medium)]
    [InlineData(5, 95, FindingLevel.High)]
    public void Evaluate_RowsRemovedByFilter_LevelsAbove50And90Percent(double kept, double removed, FindingLevel? expected)
    {
        var finding = PlanRules.Evaluate(Scan(kept, kept, removed), Small).SingleOrDefault(f => f.Rule == PlanRules.RowsRemovedByFilter);
        if (expected is null)
        {
            finding.ShouldBeNull();
            return;
        }
        finding.ShouldNotBeNull().Level.ShouldBe(expected.Value);
        finding.Detail.ShouldContain(Json($"removed {removed:N0} of {kept + removed:N0} rows"));
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, true)]
    public void Evaluate_HashBatches_FlaggedAboveOne(int batches, bool flagged)
    {
        var plan = ExplainPlan.Parse(Json($$$"""
            [{"Plan": {"Node Type": "Hash Join", "Startup Cost": 1, "Total Cost": 50, "Plan Rows": 100, "Actual Total Time": 20, "Actual Rows": 100, "Actual Loops": 1, "Hash Cond": "(a.x = b.x)",
              "Plans": [
                {"Node Type": "Seq Scan", "Parent Relationship": "Outer", "Relation Name": "t", "Alias": "a", "Startup Cost": 0, "Total Cost": 15, "Plan Rows": 100, "Actual Total Time": 2, "Actual Rows": 100, "Actual Loops": 1},
                {"Node Type": "Hash", "Parent Relationship": "Inner", "Startup Cost": 15, "Total Cost": 15, "Plan Rows": 100, "Actual Total Time": 10, "Actual Rows": 100, "Actual Loops": 1,
                 "Hash Buckets": 1024, "Hash Batches": {{{batches}}}, "Original Hash Batches": 1, "Peak Memory Usage": 64,
                 "Plans": [{"Node Type": "Seq Scan", "Parent Relationship": "Outer", "Relation Name": "t", "Alias": "b", "Startup Cost": 0, "Total Cost": 15, "Plan Rows": 100, "Actual Total Time": 2, "Actual Rows": 100, "Actual Loops": 1}]}]},
              "Planning Time": 0.1, "Execution Time": 20}]
            """));
        PlanRules.Evaluate(plan, Small).Any(f => f.Rule == PlanRules.HashBatches).ShouldBe(flagged);
    }

    [Theory]
    [InlineData(5, false)]
    [InlineData(20, true)]
    public void Evaluate_HeapFetches_FlaggedFrom10PercentOfRows(int fetches, bool flagged)
    {
        var plan = ExplainPlan.Parse(Json($$$"""
            [{"Plan": {"Node Type": "Index Only Scan", "Relation Name": "t", "Alias": "t", "Index Name": "t_x_idx", "Startup Cost": 0, "Total Cost": 5, "Plan Rows": 100,
                       "Actual Total Time": 2, "Actual Rows": 100, "Actual Loops": 1, "Index Cond": "(x > 1)", "Heap Fetches": {{{fetches}}}},
              "Planning Time": 0.1, "Execution Time": 2}]
            """));
        PlanRules.Evaluate(plan, Small).Any(f => f.Rule == PlanRules.HeapFetches).ShouldBe(flagged);
    }

    [Theory]
    [InlineData("seq_scan_analyzed")]
    [InlineData("nested_loop")]
    [InlineData("hash_batches")]
    [InlineData("disk_sort")]
    public void Evaluate_RecordedPlans_RankedByTheTimeTheFixWouldSave(string recorded)
    {
        var findings = PlanRules.Evaluate(RecordedPlans.Load(recorded), RecordedPlans.WebsiteFacts());
        findings.Count.ShouldBeGreaterThan(1, recorded);
        findings.Select(f => f.ImpactMs).ShouldBeInOrder(SortDirection.Descending, recorded);
        findings[0].ImpactMs.ShouldBeGreaterThan(0, recorded);
        foreach (var f in findings)
        {
            f.Node.ShouldMatch(@"\(node \d+\)$");
            f.Detail.ShouldMatch(@"\d"); // the numbers
            f.Fix.ShouldNotBeNullOrWhiteSpace();
        }
    }
}
