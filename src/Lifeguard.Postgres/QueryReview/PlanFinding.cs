namespace Lifeguard.Postgres.QueryReview;

/// <summary>
/// One problem a plan rule found: the rule's stable name, the node it is about, the numbers, the fix, and
/// <paramref name="ImpactMs"/>, the time it would save at most (findings are ranked by it, pgMustard-style; 0 when unknown).
/// </summary>
public sealed record PlanFinding(string Rule, string Node, string Detail, string Fix, FindingLevel Level, double ImpactMs);
