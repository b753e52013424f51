using System.ComponentModel.DataAnnotations;

namespace Lifeguard.Postgres.QueryReview;

/// <summary>What a query review looks at and how it proves advice. Defaults are the anchors' documented thresholds.</summary>
public sealed class QueryReviewOptions
{
    /// <summary>Statements reviewed, the ones with the most total time first.</summary>
    [Range(1, 500)]
    public int Top { get; set; } = 20;

    /// <summary>A statement is reviewed when it ran at least this often (a one-off is not a pattern)...</summary>
    [Range(0, long.MaxValue)]
    public long MinCalls { get; set; } = 5;

    /// <summary>...and either took at least this much execution time in total, ms (where the time goes, as Dexter ranks)...</summary>
    [Range(0, double.MaxValue)]
    public double MinTotalMs { get; set; } = 1000;

    /// <summary>...or at least this long on average, ms (PgHero's slow query: 20 ms).</summary>
    [Range(0, double.MaxValue)]
    public double MinMeanMs { get; set; } = 20;

    /// <summary>Index advice only for statements whose generic plan costs at least this much (Dexter: 100).</summary>
    [Range(0, double.MaxValue)]
    public double MinCostForAdvice { get; set; } = 100;

    /// <summary>An index is advised only when it cuts the planner's cost by at least this share (Dexter: 50%).</summary>
    [Range(0.01, 0.99)]
    public double MinCostDrop { get; set; } = 0.5;

    /// <summary>Run EXPLAIN ANALYZE on read-only statements (rolled back, under <see cref="StatementTimeout"/>).</summary>
    public bool Analyze { get; set; } = true;

    /// <summary>statement_timeout for each EXPLAIN ANALYZE.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan StatementTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A table with at least this many rows is large: a sequential scan over it is a finding and a regression.</summary>
    [Range(1, double.MaxValue)]
    public double LargeTableRows { get; set; } = 100_000;

    /// <summary>An unused index is reported from this size on (PgHero: 10 MB).</summary>
    [Range(0, long.MaxValue)]
    public long UnusedIndexMinBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>
    /// When set, each advised index is built for real on this database inside a transaction, the statement is timed with
    /// EXPLAIN ANALYZE before and after, and the transaction is rolled back (it blocks writes to the table meanwhile).
    /// </summary>
    public string? VerifyConnectionString { get; set; }

    /// <summary>EXPLAIN ANALYZE runs before and after the index when verifying; the median counts.</summary>
    [Range(1, 20)]
    public int VerifyRuns { get; set; } = 3;
}
