using System.Text.Json.Serialization;

namespace Lifeguard.Postgres.QueryReview;

/// <summary>The review of one statement: its pg_stat_statements figures, the plan it rests on, findings and index advice.</summary>
public sealed record StatementReview
{
    /// <summary>pg_stat_statements' queryid.</summary>
    [JsonPropertyName("queryid")]
    public required long QueryId { get; init; }

    /// <summary>The normalised statement text ($1, $2 for constants).</summary>
    public required string Query { get; init; }

    /// <summary>The operation tag from the statement's leading comment (<c>/* dashboard.totals */</c>): which code runs it.</summary>
    public string? Source { get; init; }

    /// <summary>The guard's mean connection hold time of the route the source tag belongs to, when metrics were given.</summary>
    public double? RouteHoldMeanMs { get; init; }

    /// <summary>The guard operation (route) the hold time is from.</summary>
    public string? Route { get; init; }

    /// <summary>Executions since the statistics were reset.</summary>
    public required long Calls { get; init; }

    /// <summary>Mean execution time, milliseconds.</summary>
    public required double MeanMs { get; init; }

    /// <summary>Total execution time over all calls, milliseconds (what the review ranks by).</summary>
    public required double TotalMs { get; init; }

    /// <summary>Rows returned or affected over all calls.</summary>
    public required long Rows { get; init; }

    /// <summary>Shared buffer hits over all calls (8 kB blocks).</summary>
    public required long SharedBlksHit { get; init; }

    /// <summary>Shared blocks read from outside the buffer cache over all calls (8 kB blocks).</summary>
    public required long SharedBlksRead { get; init; }

    /// <summary>Which plan the findings rest on (generic, analyzed, or none).</summary>
    public required PlanKind PlanKind { get; init; }

    /// <summary>The generic plan's total cost (what the baseline gate compares).</summary>
    public double? PlanCost { get; init; }

    /// <summary>Execution time of the analyzed plan, when there is one.</summary>
    public double? AnalyzedMs { get; init; }

    /// <summary>Large tables the generic plan reads with a sequential scan (the baseline gate flags new ones).</summary>
    public IReadOnlyList<string> SeqScans { get; init; } = [];

    /// <summary>What the plan rules found, largest time impact first.</summary>
    public IReadOnlyList<PlanFinding> Findings { get; init; } = [];

    /// <summary>Indexes that would help, each with the cost it saves (proven with HypoPG when available).</summary>
    public IReadOnlyList<IndexAdvice> IndexAdvice { get; init; } = [];

    /// <summary>What could not be done for this statement and why (no plan, no ANALYZE, no advice).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
}
