namespace Lifeguard.Statements;

/// <summary>The statements that hold connections longest, as the database sees them: what the live page's "slowest
/// statements" section and the slow_queries diagnosis point to. Provider-neutral; PostgreSQL's lives in Lifeguard.Postgres.</summary>
public interface ISlowStatementSource
{
    /// <summary>The current list, most total time first; implementations may serve a recent cached review.</summary>
    Task<SlowStatementsReport> ReadAsync(CancellationToken cancellationToken);
}
