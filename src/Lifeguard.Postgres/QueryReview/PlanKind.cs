namespace Lifeguard.Postgres.QueryReview;

/// <summary>Which kind of plan a statement's review rests on.</summary>
public enum PlanKind
{
    /// <summary>No plan could be made (the error says why).</summary>
    None,

    /// <summary>Estimated generic plan of the normalized text: PREPARE, plan_cache_mode = force_generic_plan, EXECUTE with NULLs.</summary>
    Generic,

    /// <summary>EXPLAIN (ANALYZE, BUFFERS) with representative parameter values, read-only, rolled back, under statement_timeout.</summary>
    Analyzed,
}
