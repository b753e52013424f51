namespace Lifeguard.Postgres.QueryReview;

/// <summary>How bad a plan finding is; the thresholds are the rule's (e.g. node share of time 10/40/90%).</summary>
public enum FindingLevel
{
    Low,
    Medium,
    High,
}
