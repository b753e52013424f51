using Lifeguard.Postgres.QueryReview;

namespace Lifeguard.Cli.Review;

/// <summary>What `lifeguard review --json` writes: the review, the thresholds it used and, with --baseline, the regressions.</summary>
internal sealed record ReviewOutput(
    string Verb,
    bool Passed,
    string Database,
    string ServerVersion,
    DateTimeOffset ReviewedAt,
    bool HypopgAvailable,
    ReviewThresholds Thresholds,
    int StatementsSeen,
    int BelowThresholds,
    IReadOnlyList<SkippedStatement> Skipped,
    double ElapsedSeconds,
    IReadOnlyList<StatementReview> Statements,
    IReadOnlyList<UnusedIndex> UnusedIndexes,
    IReadOnlyList<DuplicateIndex> DuplicateIndexes,
    string? Baseline,
    IReadOnlyList<PlanRegression> Regressions,
    IReadOnlyList<string> Notes);
