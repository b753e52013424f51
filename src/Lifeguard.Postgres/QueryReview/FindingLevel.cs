namespace Lifeguard.Postgres.QueryReview;

/// <summary>How bad a plan finding is; the thresholds are the rule's (e.g. node share of time 10/40/90%).</summary>
public enum FindingLevel
{
    /// <summary>Worth a look: a small share of the statement's time or cost.</summary>
    Low,
    /// <summary>A sizeable share of the statement's time or cost: fix it when you touch the query.</summary>
    Medium,
    /// <summary>Most of the statement's time or cost: fix it first.</summary>
    High,
}
