namespace Lifeguard.Diagnosis;

/// <summary>Database errors the application saw within one interval, by kind.</summary>
public sealed record ConnectionErrorCounts
{
    /// <summary>No errors.</summary>
    public static ConnectionErrorCounts None { get; } = new();

    /// <summary>Opens refused for lack of server slots (53300).</summary>
    public int TooManyConnections { get; init; }
    /// <summary>Opens or queries failed because the server was down or unreachable.</summary>
    public int ServerUnavailable { get; init; }
    /// <summary>Deadlocks (40P01).</summary>
    public int Deadlocks { get; init; }
    /// <summary>Lock waits past lock_timeout (55P03).</summary>
    public int LockTimeouts { get; init; }
    /// <summary>Statements past statement_timeout (57014).</summary>
    public int StatementTimeouts { get; init; }
    /// <summary>Other errors (authentication, bugs).</summary>
    public int Other { get; init; }

    /// <summary>All of them.</summary>
    public int Total => TooManyConnections + ServerUnavailable + Deadlocks + LockTimeouts + StatementTimeouts + Other;
}
