using Lifeguard.Postgres.QueryReview;

namespace Lifeguard.Postgres.Tests.QueryReview;

public sealed class PlanRulesTests
{
    private static IReadOnlyList<PlanFinding> Evaluate(string plan) => PlanRules.Evaluate(RecordedPlans.Load(plan), RecordedPlans.WebsiteFacts());

    [Fact]
    public void Evaluate_SeqScanOverLargeTable_FlagsScanFilterAndTimeShare()
    {
        var findings = Evaluate("seq_scan_analyzed");
        var rules = findings.Select(f => f.Rule).ToList();
        rules.ShouldContain(PlanRules.SeqScanLargeTable);
        rules.ShouldContain(PlanRules.RowsRemovedByFilter);
        var slow = findings.Single(f => f.Rule == PlanRules.SlowNode);
        slow.Node.ShouldBe("Seq Scan on orders (node 2)");
        slow.Level.ShouldBe(FindingLevel.High); // > 90% of the time
        var filter = findings.Single(f => f.Rule == PlanRules.RowsRemovedByFilter);
        filter.Level.ShouldBe(FindingLevel.High);
        filter.Detail.ShouldContain("removed 1,99");
        filter.Fix.ShouldContain("index");
        // Ranked by the time they would save: the scan's own time comes first.
        findings[0].ImpactMs.ShouldBeGreaterThan(100);
    }

    [Fact]
    public void Evaluate_GenericPlan_FlagsSeqScanWithoutTimes()
    {
        var findings = Evaluate("seq_scan_generic");
        findings.Select(f => f.Rule).ShouldBe([PlanRules.SeqScanLargeTable]);
    }

    [Fact]
    public void Evaluate_SortSpilledToDisk_FlagsDiskSort()
    {
        // SET work_mem = '64kB'; SELECT * FROM orders WHERE workspace_id < 20 ORDER BY amount_cents
        var f = Evaluate("disk_sort").Single(x => x.Rule == PlanRules.DiskSort);
        f.Node.ShouldStartWith("Sort");
        f.Detail.ShouldContain("external");
        f.Fix.ShouldContain("work_mem");
    }

    [Fact]
    public void Evaluate_HashInManyBatches_FlagsHashBatches()
    {
        // SET work_mem = '64kB'; orders JOIN customers for 100 workspaces
        var f = Evaluate("hash_batches").Single(x => x.Rule == PlanRules.HashBatches);
        f.Detail.ShouldContain("32 batches");
    }

    [Fact]
    public void Evaluate_IndexOnlyScanBeforeVacuum_FlagsHeapFetches()
    {
        // 100,000 rows, never vacuumed: the visibility map is empty
        var f = Evaluate("heap_fetches").Single(x => x.Rule == PlanRules.HeapFetches);
        f.Detail.ShouldContain("49,999");
        f.Fix.ShouldContain("VACUUM");
    }

    [Fact]
    public void Evaluate_NestedLoopOverSeqScan_FlagsInefficientNestedLoop()
    {
        // hash and merge joins off: 6,239 orders each re-read the unindexed products_copy
        var f = Evaluate("nested_loop").Single(x => x.Rule == PlanRules.NestedLoop);
        f.Node.ShouldStartWith("Nested Loop");
        f.Detail.ShouldContain("6,239 outer rows");
    }

    [Fact]
    public void Evaluate_CorrelatedFilter_FlagsUnderestimate()
    {
        // WHERE workspace_id = 5 AND (amount_cents % 2) = 0: the planner expects 9 rows, gets 571
        var f = Evaluate("row_estimate").Single(x => x.Rule == PlanRules.RowEstimate);
        f.Detail.ShouldContain("underestimated 63x");
        f.Fix.ShouldContain("ANALYZE");
    }

    [Fact]
    public void Evaluate_PrimaryKeyLookup_FindsNothing()
    {
        Evaluate("indexed_lookup").ShouldBeEmpty();
    }

    [Fact]
    public void Evaluate_IndexedDashboardStatementUnderLimit_NoSeqScanAndNoMisestimate()
    {
        var findings = Evaluate("dashboard_recent_generic");
        findings.ShouldNotContain(f => f.Rule == PlanRules.SeqScanLargeTable);
        findings.ShouldNotContain(f => f.Rule == PlanRules.RowEstimate);
    }
}
