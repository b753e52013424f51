namespace Lifeguard.Postgres.QueryReview;

/// <summary>One row of pg_stat_statements: a normalized statement and what it cost since the last reset.</summary>
internal sealed record StatementStats(
    long QueryId,
    string Query,
    long Calls,
    double TotalMs,
    double MeanMs,
    long Rows,
    long SharedBlksHit,
    long SharedBlksRead);
