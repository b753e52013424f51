using System.Globalization;

namespace Lifeguard.Postgres.QueryReview;

/// <summary>
/// Plan rules as pure logic over a parsed plan. Thresholds are the anchors': PEV2 (node share of time 10/40/90%,
/// row estimates off 10/100/1000x, rows removed by a filter 50/90%, heap fetches, hash batches), pganalyze
/// (inefficient nested loops, disk sorts), plus a sequential scan over a large table with a filter.
/// </summary>
internal static class PlanRules
{
    public const string SlowNode = "slow_node";
    public const string RowEstimate = "row_estimate";
    public const string RowsRemovedByFilter = "rows_removed_by_filter";
    public const string HeapFetches = "heap_fetches";
    public const string HashBatches = "hash_batches";
    public const string DiskSort = "disk_sort";
    public const string NestedLoop = "inefficient_nested_loop";
    public const string SeqScanLargeTable = "seq_scan_large_table";
    public const string LossyBitmap = "lossy_bitmap";

    /// <summary>Every rule's name, for documentation and tests.</summary>
    public static readonly IReadOnlyList<string> All = [SlowNode, RowEstimate, RowsRemovedByFilter, HeapFetches, HashBatches, DiskSort, NestedLoop, SeqScanLargeTable, LossyBitmap];

    /// <summary>The findings for <paramref name="plan"/>, the ones that would save most time first.</summary>
    public static IReadOnlyList<PlanFinding> Evaluate(ExplainPlan plan, PlanFacts facts)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(facts);
        var findings = new List<PlanFinding>();
        var total = plan.ExecutionMs ?? plan.Root.ActualTotalTimeMs ?? 0;
        var exclusive = plan.IsAnalyzed ? ExclusiveTimes(plan.Root) : new Dictionary<PlanNode, double>();
        var underLimit = UnderLimit(plan.Root);
        foreach (var n in plan.Nodes)
        {
            var self = exclusive.GetValueOrDefault(n);
            if (plan.IsAnalyzed && total > 0)
            {
                if (self >= facts.MinNodeMs) SlowNodeRule(n, self, total, findings);
                // Below a Limit the executor stops early, so "fewer rows than estimated" is expected, not a misestimate.
                if (!underLimit.Contains(n)) RowEstimateRule(n, self, findings);
                FilterRule(n, self, findings);
                HeapFetchRule(n, self, findings);
                HashBatchRule(n, self, findings);
                DiskSortRule(n, self, findings);
                LossyRule(n, self, findings);
            }
            NestedLoopRule(n, plan.IsAnalyzed, exclusive, findings);
            SeqScanRule(n, self, facts, findings);
        }

        return findings.OrderByDescending(f => f.ImpactMs).ThenByDescending(f => f.Level).ToList();
    }

    private static HashSet<PlanNode> UnderLimit(PlanNode root)
    {
        var result = new HashSet<PlanNode>();
        foreach (var limit in root.DescendantsAndSelf().Where(n => n.NodeType == "Limit"))
        {
            foreach (var d in limit.Children.SelectMany(c => c.DescendantsAndSelf())) result.Add(d);
        }
        return result;
    }

    /// <summary>Time spent in each node itself (its total minus its children's), across loops; parallel workers counted once.</summary>
    internal static Dictionary<PlanNode, double> ExclusiveTimes(PlanNode root)
    {
        var result = new Dictionary<PlanNode, double>();
        Walk(root, parallel: false);
        return result;

        double Inclusive(PlanNode n, bool parallel) =>
            (n.ActualTotalTimeMs ?? 0) * (parallel ? 1 : Math.Max(1, n.ActualLoops ?? 1));

        void Walk(PlanNode n, bool parallel)
        {
            var childParallel = parallel || n.NodeType is "Gather" or "Gather Merge";
            var children = n.Children.Where(c => c.ParentRelationship is not "InitPlan" and not "SubPlan").Sum(c => Inclusive(c, childParallel));
            result[n] = Math.Max(0, Inclusive(n, parallel) - children);
            foreach (var c in n.Children) Walk(c, childParallel);
        }
    }

    private static void SlowNodeRule(PlanNode n, double self, double total, List<PlanFinding> into)
    {
        var share = self / total;
        if (share <= 0.10) return;
        var level = share > 0.90 ? FindingLevel.High : share > 0.40 ? FindingLevel.Medium : FindingLevel.Low;
        into.Add(new PlanFinding(SlowNode, n.Describe(),
            F($"{share:P0} of the execution time ({self:0.##} of {total:0.##} ms) is spent in this node itself."),
            n.NodeType switch
            {
                "Seq Scan" => "Read fewer rows: an index on the filtered columns (see the index advice), or a narrower filter.",
                "Sort" or "Incremental Sort" => "Avoid the sort with an index in the sort order, or give it more work_mem if it spills.",
                "Nested Loop" => "Check the inner side: it runs once per outer row; an index on the join columns or a hash join helps.",
                _ => "This node is where the time goes: look at its rows and conditions first.",
            },
            level, self));
    }

    private static void RowEstimateRule(PlanNode n, double self, List<PlanFinding> into)
    {
        if (n.ActualRows is not { } actual || (n.ActualLoops ?? 0) == 0) return;
        var estimated = Math.Max(1, n.PlanRows);
        var act = Math.Max(1, actual);
        var factor = Math.Max(estimated / act, act / estimated);
        // Misestimates among a handful of rows change no plan; PEV2's factors apply from 100 rows on.
        if (factor <= 10 || Math.Max(estimated, act) < 100) return;
        var level = factor > 1000 ? FindingLevel.High : factor > 100 ? FindingLevel.Medium : FindingLevel.Low;
        var direction = act > estimated ? "under" : "over";
        into.Add(new PlanFinding(RowEstimate, n.Describe(),
            F($"The planner expected {n.PlanRows:0} rows per loop and got {actual:0}: {direction}estimated {factor:0}x."),
            "Refresh statistics (ANALYZE the table), raise the column's statistics target, or add extended statistics (CREATE STATISTICS) for correlated columns.",
            level, self * 0.5));
    }

    private static void FilterRule(PlanNode n, double self, List<PlanFinding> into)
    {
        if (n.RowsRemovedByFilter is not { } removed || n.Filter is null || removed <= 0) return;
        var loops = Math.Max(1, n.ActualLoops ?? 1);
        var kept = (n.ActualRows ?? 0) * loops;
        var removedTotal = removed * loops;
        var share = removedTotal / (removedTotal + kept);
        if (share <= 0.50) return;
        into.Add(new PlanFinding(RowsRemovedByFilter, n.Describe(),
            F($"The filter {n.Filter} removed {removedTotal:N0} of {removedTotal + kept:N0} rows read ({share:P0})."),
            "Let an index find the rows instead of reading and discarding them: index the filter's columns (equality first, then range), see the index advice.",
            share > 0.90 ? FindingLevel.High : FindingLevel.Medium, self * share));
    }

    private static void HeapFetchRule(PlanNode n, double self, List<PlanFinding> into)
    {
        if (n.NodeType != "Index Only Scan" || n.HeapFetches is not { } fetches || fetches <= 0) return;
        var rows = Math.Max(1, (n.ActualRows ?? 0) * Math.Max(1, n.ActualLoops ?? 1));
        var share = fetches / rows;
        if (share < 0.10) return;
        into.Add(new PlanFinding(HeapFetches, n.Describe(),
            F($"The index-only scan went to the table for {fetches:N0} of {rows:N0} rows ({share:P0}): the visibility map is out of date."),
            "VACUUM the table (or tune autovacuum for it) so the index-only scan can skip the heap.",
            share > 0.5 ? FindingLevel.Medium : FindingLevel.Low, self * share));
    }

    private static void HashBatchRule(PlanNode n, double self, List<PlanFinding> into)
    {
        if (n.NodeType != "Hash" || n.HashBatches is not { } batches || batches <= 1) return;
        into.Add(new PlanFinding(HashBatches, n.Describe(),
            F($"The hash table needed {batches:0} batches (planned {n.OriginalHashBatches ?? batches:0}, peak memory {n.PeakMemoryUsageKb ?? 0:N0} kB): it spilled to disk."),
            "Raise work_mem for this query (SET LOCAL work_mem) or hash fewer rows (filter earlier, select fewer columns).",
            FindingLevel.Medium, self));
    }

    private static void DiskSortRule(PlanNode n, double self, List<PlanFinding> into)
    {
        var disk = string.Equals(n.SortSpaceType, "Disk", StringComparison.Ordinal) || (n.SortMethod?.Contains("external", StringComparison.Ordinal) ?? false);
        if (!disk) return;
        into.Add(new PlanFinding(DiskSort, n.Describe(),
            F($"The sort ({n.SortMethod}) spilled {n.SortSpaceUsedKb ?? 0:N0} kB to disk."),
            "Raise work_mem for this query, sort fewer rows, or use an index in the sort order so no sort is needed.",
            FindingLevel.Medium, self));
    }

    private static void LossyRule(PlanNode n, double self, List<PlanFinding> into)
    {
        if (n.LossyHeapBlocks is not { } lossy || lossy <= 0) return;
        into.Add(new PlanFinding(LossyBitmap, n.Describe(),
            F($"The bitmap became lossy for {lossy:N0} heap blocks, so every row in them was rechecked."),
            "Raise work_mem so the bitmap stays exact, or use a more selective index.",
            FindingLevel.Low, self * 0.3));
    }

    private static void NestedLoopRule(PlanNode n, bool analyzed, Dictionary<PlanNode, double> exclusive, List<PlanFinding> into)
    {
        if (n.NodeType != "Nested Loop" || n.Children.Count < 2) return;
        var outer = n.Children[0];
        var inner = n.Children[1];
        var outerRows = analyzed ? (outer.ActualRows ?? 0) * Math.Max(1, outer.ActualLoops ?? 1) : outer.PlanRows;
        // An inner side that reads a whole relation per outer row (a seq scan, or a materialized one) is the classic bad loop.
        var scan = inner.DescendantsAndSelf().FirstOrDefault(d => d.RelationName is not null);
        var innerIsFullScan = scan is not null && scan.NodeType == "Seq Scan";
        if (outerRows < 1000 || !innerIsFullScan) return;
        var innerTime = analyzed ? inner.DescendantsAndSelf().Sum(d => exclusive.GetValueOrDefault(d)) : 0;
        into.Add(new PlanFinding(NestedLoop, n.Describe(),
            F($"The inner side ({scan!.Describe()}) is read in full for each of {outerRows:N0} outer rows."),
            "Index the inner table's join columns so each loop is a lookup, or let the planner hash the join (check the row estimates and work_mem).",
            outerRows >= 100_000 ? FindingLevel.High : FindingLevel.Medium, innerTime));
    }

    private static void SeqScanRule(PlanNode n, double self, PlanFacts facts, List<PlanFinding> into)
    {
        if (n.NodeType != "Seq Scan" || n.Filter is null || !facts.IsLarge(n.RelationName)) return;
        var rows = facts.TableRows[n.RelationName!];
        into.Add(new PlanFinding(SeqScanLargeTable, n.Describe(),
            F($"Reads all of {n.RelationName} (~{rows:N0} rows) to keep ~{n.PlanRows:N0} per loop with the filter {n.Filter}."),
            "Index the filter's columns (equality first, then range); see the index advice for the one the planner would use.",
            n.PlanRows * 20 < rows ? FindingLevel.High : FindingLevel.Medium, self));
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
