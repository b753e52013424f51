namespace Lifeguard.Statements;

/// <summary>One statement of the slowest-statements list: its figures, the operation that runs it, the plan's most
/// costly finding and the index advised for it (both null when there is none).</summary>
public sealed record SlowStatement(
    string Id,
    string Query,
    string? Source,
    long Calls,
    double MeanMs,
    double TotalMs,
    string? TopFinding,
    string? IndexAdvice);
