namespace Lifeguard.Postgres.QueryReview;

/// <summary>A statement with much total time that the review did not plan, and why: a review that says "0 reviewed" must
/// still show what it saw.</summary>
/// <param name="QueryId">pg_stat_statements' queryid.</param>
/// <param name="Query">The normalized text.</param>
/// <param name="Source">The operation tag of its leading comment, if any.</param>
/// <param name="Calls">Times it ran.</param>
/// <param name="TotalMs">Total execution time, ms.</param>
/// <param name="MeanMs">Mean execution time, ms.</param>
/// <param name="Reason">Which threshold left it out, with the numbers.</param>
public sealed record SkippedStatement(long QueryId, string Query, string? Source, long Calls, double TotalMs, double MeanMs, string Reason);
