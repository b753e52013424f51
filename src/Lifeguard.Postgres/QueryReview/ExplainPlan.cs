using System.Globalization;
using System.Text.Json;

namespace Lifeguard.Postgres.QueryReview;

/// <summary>A parsed EXPLAIN (FORMAT JSON) result: the plan tree and, when analyzed, the measured times.</summary>
internal sealed class ExplainPlan
{
    private ExplainPlan(PlanNode root, double? planningMs, double? executionMs)
    {
        Root = root;
        PlanningMs = planningMs;
        ExecutionMs = executionMs;
    }

    public PlanNode Root { get; }

    public double? PlanningMs { get; }

    public double? ExecutionMs { get; }

    /// <summary>True when the plan carries actual times (EXPLAIN ANALYZE).</summary>
    public bool IsAnalyzed => Root.ActualTotalTimeMs is not null;

    /// <summary>The planner's total cost of the whole statement.</summary>
    public double TotalCost => Root.TotalCost;

    public IEnumerable<PlanNode> Nodes => Root.DescendantsAndSelf();

    /// <summary>Parses what PostgreSQL prints for EXPLAIN (FORMAT JSON): an array holding one object with "Plan".</summary>
    public static ExplainPlan Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        using var doc = JsonDocument.Parse(json);
        var top = doc.RootElement;
        if (top.ValueKind == JsonValueKind.Array)
        {
            if (top.GetArrayLength() == 0) throw new FormatException("EXPLAIN JSON is an empty array.");
            top = top[0];
        }
        if (top.ValueKind != JsonValueKind.Object || !top.TryGetProperty("Plan", out var plan))
        {
            throw new FormatException("EXPLAIN JSON has no \"Plan\" object.");
        }

        var root = ParseNode(plan);
        var id = 0;
        foreach (var n in root.DescendantsAndSelf()) n.Id = ++id;
        return new ExplainPlan(root, Number(top, "Planning Time"), Number(top, "Execution Time"));
    }

    private static PlanNode ParseNode(JsonElement e)
    {
        var children = e.TryGetProperty("Plans", out var plans) && plans.ValueKind == JsonValueKind.Array
            ? plans.EnumerateArray().Select(ParseNode).ToList()
            : [];
        return new PlanNode
        {
            NodeType = Text(e, "Node Type") ?? "?",
            RelationName = Text(e, "Relation Name"),
            Schema = Text(e, "Schema"),
            Alias = Text(e, "Alias"),
            IndexName = Text(e, "Index Name"),
            ParentRelationship = Text(e, "Parent Relationship"),
            StartupCost = Number(e, "Startup Cost") ?? 0,
            TotalCost = Number(e, "Total Cost") ?? 0,
            PlanRows = Number(e, "Plan Rows") ?? 0,
            ActualTotalTimeMs = Number(e, "Actual Total Time"),
            ActualRows = Number(e, "Actual Rows"),
            ActualLoops = Number(e, "Actual Loops"),
            Filter = Text(e, "Filter"),
            IndexCond = Text(e, "Index Cond"),
            RecheckCond = Text(e, "Recheck Cond"),
            HashCond = Text(e, "Hash Cond"),
            MergeCond = Text(e, "Merge Cond"),
            JoinFilter = Text(e, "Join Filter"),
            SortKey = e.TryGetProperty("Sort Key", out var keys) && keys.ValueKind == JsonValueKind.Array
                ? keys.EnumerateArray().Select(k => k.GetString() ?? "").ToList()
                : [],
            SortMethod = Text(e, "Sort Method"),
            SortSpaceType = Text(e, "Sort Space Type"),
            SortSpaceUsedKb = Number(e, "Sort Space Used"),
            RowsRemovedByFilter = Number(e, "Rows Removed by Filter"),
            RowsRemovedByJoinFilter = Number(e, "Rows Removed by Join Filter"),
            HeapFetches = Number(e, "Heap Fetches"),
            HashBatches = Number(e, "Hash Batches"),
            OriginalHashBatches = Number(e, "Original Hash Batches"),
            PeakMemoryUsageKb = Number(e, "Peak Memory Usage"),
            LossyHeapBlocks = Number(e, "Lossy Heap Blocks"),
            SharedHitBlocks = Number(e, "Shared Hit Blocks"),
            SharedReadBlocks = Number(e, "Shared Read Blocks"),
            TempReadBlocks = Number(e, "Temp Read Blocks"),
            TempWrittenBlocks = Number(e, "Temp Written Blocks"),
            WorkersLaunched = Number(e, "Workers Launched") is { } w ? (int)w : null,
            Children = children,
        };
    }

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static double? Number(JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out var v)) return null;
        return v.ValueKind switch
        {
            JsonValueKind.Number => v.GetDouble(),
            JsonValueKind.String when double.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
            _ => null,
        };
    }
}
