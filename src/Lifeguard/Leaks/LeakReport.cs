namespace Lifeguard.Leaks;

/// <summary>A lease held past the leak threshold: who took it, where from, and (once known) when it came back.</summary>
public sealed class LeakReport
{
    internal LeakReport(long id, string poolName, string? operation, string stackTrace, DateTimeOffset acquiredAt, DateTimeOffset detectedAt)
    {
        Id = id;
        PoolName = poolName;
        Operation = operation;
        StackTrace = stackTrace;
        AcquiredAt = acquiredAt;
        DetectedAt = detectedAt;
    }

    /// <summary>Sequence number of the lease within its guard.</summary>
    public long Id { get; }

    /// <summary>The pool the connection belongs to.</summary>
    public string PoolName { get; }

    /// <summary>The operation (route) that took the lease, if any was ambient.</summary>
    public string? Operation { get; }

    /// <summary>The borrower's stack at the moment it opened the connection.</summary>
    public string StackTrace { get; }

    /// <summary>When the connection was handed out.</summary>
    public DateTimeOffset AcquiredAt { get; }

    /// <summary>When the threshold was crossed.</summary>
    public DateTimeOffset DetectedAt { get; }

    /// <summary>When the connection was finally returned; null while still held.</summary>
    public DateTimeOffset? ReturnedAt { get; internal set; }

    /// <summary>Total hold time once returned; null while still held.</summary>
    public TimeSpan? HeldFor { get; internal set; }
}
