namespace Lifeguard.Postgres.QueryReview;

/// <summary>What the baseline gate compares for one statement: its generic plan's cost and the large tables it scans sequentially.</summary>
public sealed record PlanSnapshot(long? QueryId, string Query, double? PlanCost, IReadOnlyList<string> SeqScans, string? Error = null);
