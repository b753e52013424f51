namespace Lifeguard.Diagnosis;

/// <summary>What a database error means for diagnosis, decided at the provider's edge from its typed errors.</summary>
public enum ConnectionErrorKind
{
    /// <summary>Not one of the kinds below (authentication, syntax, a bug).</summary>
    Other,
    /// <summary>The caller cancelled; nobody's fault.</summary>
    Cancelled,
    /// <summary>No pooled connection became free within the provider's timeout.</summary>
    PoolTimeout,
    /// <summary>The server has no free connection slot (PostgreSQL 53300).</summary>
    TooManyConnections,
    /// <summary>The server is down, starting, shutting down or unreachable (57P01, 57P03, 08xxx, refused).</summary>
    ServerUnavailable,
    /// <summary>A deadlock was detected (40P01).</summary>
    Deadlock,
    /// <summary>A lock was not granted within lock_timeout (55P03).</summary>
    LockTimeout,
    /// <summary>A statement ran past statement_timeout (57014).</summary>
    StatementTimeout,
}
