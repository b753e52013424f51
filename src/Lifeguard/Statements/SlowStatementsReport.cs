namespace Lifeguard.Statements;

/// <summary>A slowest-statements list as of <paramref name="ReviewedAt"/>, with what could not be done (<paramref name="Notes"/>).</summary>
public sealed record SlowStatementsReport(DateTimeOffset ReviewedAt, IReadOnlyList<SlowStatement> Statements, IReadOnlyList<string> Notes);
