namespace Lifeguard.Postgres.QueryReview;

/// <summary>The result of one review: the statements above the thresholds, and the index health of the database.</summary>
public sealed record QueryReviewReport
{
    public required string Database { get; init; }

    public required string ServerVersion { get; init; }

    public required DateTimeOffset ReviewedAt { get; init; }

    public required bool HypopgAvailable { get; init; }

    /// <summary>Statements pg_stat_statements listed for this database (queries and DML, not the review's own).</summary>
    public required int StatementsSeen { get; init; }

    /// <summary>Of those, how many were under the calls/mean thresholds and not reviewed.</summary>
    public required int BelowThresholds { get; init; }

    public required IReadOnlyList<StatementReview> Statements { get; init; }

    public required IReadOnlyList<UnusedIndex> UnusedIndexes { get; init; }

    public required IReadOnlyList<DuplicateIndex> DuplicateIndexes { get; init; }

    public required double ElapsedSeconds { get; init; }

    public IReadOnlyList<string> Notes { get; init; } = [];
}
