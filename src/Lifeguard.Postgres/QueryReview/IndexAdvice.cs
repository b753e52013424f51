namespace Lifeguard.Postgres.QueryReview;

/// <summary>An index the review advises for one statement, with the planner's cost before and after, and the measurement if verified.</summary>
public sealed record IndexAdvice(
    string Table,
    IReadOnlyList<string> Columns,
    string Ddl,
    double CostBefore,
    double CostAfter,
    IndexValidation Validated,
    double? MeasuredSpeedup,
    double? MeasuredBeforeMs,
    double? MeasuredAfterMs,
    string? VerifyNote);
