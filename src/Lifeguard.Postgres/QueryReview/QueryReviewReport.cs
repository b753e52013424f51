namespace Lifeguard.Postgres.QueryReview;

/// <summary>The result of one review: the statements above the thresholds, and the index health of the database.</summary>
public sealed record QueryReviewReport
{
    /// <summary>The database reviewed.</summary>
    public required string Database { get; init; }

    /// <summary>The server's <c>server_version</c>.</summary>
    public required string ServerVersion { get; init; }

    /// <summary>When the review ran (from the reviewer's <see cref="TimeProvider"/>).</summary>
    public required DateTimeOffset ReviewedAt { get; init; }

    /// <summary>Whether the HypoPG extension was there, so index advice could be proven with hypothetical indexes.</summary>
    public required bool HypopgAvailable { get; init; }

    /// <summary>Statements pg_stat_statements listed for this database (queries and DML, not the review's own).</summary>
    public required int StatementsSeen { get; init; }

    /// <summary>Of those, how many were under the thresholds and not reviewed.</summary>
    public required int BelowThresholds { get; init; }

    /// <summary>The statements with the most total time that were not reviewed, and why (at most ten), so a review that
    /// planned nothing still shows where the time went.</summary>
    public IReadOnlyList<SkippedStatement> Skipped { get; init; } = [];

    /// <summary>The statements reviewed, largest total time first.</summary>
    public required IReadOnlyList<StatementReview> Statements { get; init; }

    /// <summary>Indexes never scanned since the statistics were reset.</summary>
    public required IReadOnlyList<UnusedIndex> UnusedIndexes { get; init; }

    /// <summary>Indexes whose columns another index already covers.</summary>
    public required IReadOnlyList<DuplicateIndex> DuplicateIndexes { get; init; }

    /// <summary>Wall time of the review, seconds.</summary>
    public required double ElapsedSeconds { get; init; }

    /// <summary>What the review could not do and why (statements of other roles hidden, no HypoPG, ...).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
}
