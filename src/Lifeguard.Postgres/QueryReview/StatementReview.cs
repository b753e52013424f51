using System.Text.Json.Serialization;

namespace Lifeguard.Postgres.QueryReview;

/// <summary>The review of one statement: its pg_stat_statements figures, the plan it rests on, findings and index advice.</summary>
public sealed record StatementReview
{
    [JsonPropertyName("queryid")]
    public required long QueryId { get; init; }

    public required string Query { get; init; }

    /// <summary>The operation tag from the statement's leading comment (<c>/* dashboard.totals */</c>): which code runs it.</summary>
    public string? Source { get; init; }

    /// <summary>The guard's mean connection hold time of the route the source tag belongs to, when metrics were given.</summary>
    public double? RouteHoldMeanMs { get; init; }

    /// <summary>The guard operation (route) the hold time is from.</summary>
    public string? Route { get; init; }

    public required long Calls { get; init; }

    public required double MeanMs { get; init; }

    public required double TotalMs { get; init; }

    public required long Rows { get; init; }

    public required long SharedBlksHit { get; init; }

    public required long SharedBlksRead { get; init; }

    public required PlanKind PlanKind { get; init; }

    /// <summary>The generic plan's total cost (what the baseline gate compares).</summary>
    public double? PlanCost { get; init; }

    /// <summary>Execution time of the analyzed plan, when there is one.</summary>
    public double? AnalyzedMs { get; init; }

    /// <summary>Large tables the generic plan reads with a sequential scan (the baseline gate flags new ones).</summary>
    public IReadOnlyList<string> SeqScans { get; init; } = [];

    public IReadOnlyList<PlanFinding> Findings { get; init; } = [];

    public IReadOnlyList<IndexAdvice> IndexAdvice { get; init; } = [];

    /// <summary>What could not be done for this statement and why (no plan, no ANALYZE, no advice).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
}
