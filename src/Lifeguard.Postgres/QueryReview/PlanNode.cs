namespace Lifeguard.Postgres.QueryReview;

/// <summary>One node of an EXPLAIN (FORMAT JSON) plan; actual figures are null when the plan was not analyzed.</summary>
internal sealed class PlanNode
{
    /// <summary>Position in a pre-order walk from the root (1-based), so a finding can name the node unambiguously.</summary>
    public int Id { get; internal set; }

    public required string NodeType { get; init; }

    public string? RelationName { get; init; }

    public string? Schema { get; init; }

    public string? Alias { get; init; }

    public string? IndexName { get; init; }

    public string? ParentRelationship { get; init; }

    public double StartupCost { get; init; }

    public double TotalCost { get; init; }

    public double PlanRows { get; init; }

    public double? ActualTotalTimeMs { get; init; }

    public double? ActualRows { get; init; }

    public double? ActualLoops { get; init; }

    public string? Filter { get; init; }

    public string? IndexCond { get; init; }

    public string? RecheckCond { get; init; }

    public string? HashCond { get; init; }

    public string? MergeCond { get; init; }

    public string? JoinFilter { get; init; }

    public IReadOnlyList<string> SortKey { get; init; } = [];

    public string? SortMethod { get; init; }

    public string? SortSpaceType { get; init; }

    public double? SortSpaceUsedKb { get; init; }

    public double? RowsRemovedByFilter { get; init; }

    public double? RowsRemovedByJoinFilter { get; init; }

    public double? HeapFetches { get; init; }

    public double? HashBatches { get; init; }

    public double? OriginalHashBatches { get; init; }

    public double? PeakMemoryUsageKb { get; init; }

    public double? LossyHeapBlocks { get; init; }

    public double? SharedHitBlocks { get; init; }

    public double? SharedReadBlocks { get; init; }

    public double? TempReadBlocks { get; init; }

    public double? TempWrittenBlocks { get; init; }

    public int? WorkersLaunched { get; init; }

    public IReadOnlyList<PlanNode> Children { get; init; } = [];

    /// <summary>The node and everything below it, pre-order.</summary>
    public IEnumerable<PlanNode> DescendantsAndSelf()
    {
        yield return this;
        foreach (var c in Children)
        {
            foreach (var d in c.DescendantsAndSelf()) yield return d;
        }
    }

    /// <summary>"Seq Scan on orders o (node 3)": how findings name a node.</summary>
    public string Describe()
    {
        var on = RelationName is null ? "" : $" on {RelationName}{(Alias is not null && Alias != RelationName ? " " + Alias : "")}";
        var index = IndexName is null ? "" : $" using {IndexName}";
        return $"{NodeType}{index}{on} (node {Id})";
    }
}
