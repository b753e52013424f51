namespace Lifeguard.Postgres.QueryReview;

/// <summary>How an index advice was proven.</summary>
public enum IndexValidation
{
    /// <summary>A HypoPG hypothetical index at least halved the planner's cost.</summary>
    Hypopg,

    /// <summary>Also built for real inside a rolled-back transaction (--verify) and timed with EXPLAIN ANALYZE before and after.</summary>
    Measured,
}
