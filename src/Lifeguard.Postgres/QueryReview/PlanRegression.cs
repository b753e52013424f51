namespace Lifeguard.Postgres.QueryReview;

/// <summary>A statement whose plan got worse than the baseline's: <paramref name="Kind"/> is "cost" (2x or more) or "seq_scan" (a new one on a large table).</summary>
public sealed record PlanRegression(long? QueryId, string Query, string Kind, string Detail);
