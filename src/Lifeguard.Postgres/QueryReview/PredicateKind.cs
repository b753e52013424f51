namespace Lifeguard.Postgres.QueryReview;

/// <summary>How a column is used by a plan, which decides its place in an index (equality before range before sort).</summary>
internal enum PredicateKind
{
    /// <summary><c>col = value</c>, <c>col = ANY(...)</c>, or a join condition.</summary>
    Equality,

    /// <summary><c>col &lt; value</c>, <c>&lt;=</c>, <c>&gt;</c>, <c>&gt;=</c>.</summary>
    Range,

    /// <summary>A sort key.</summary>
    Sort,
}
