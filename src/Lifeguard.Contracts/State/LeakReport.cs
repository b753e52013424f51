namespace Lifeguard.Leaks;

/// <summary>A lease held past the leak threshold: who took it, where from, and (once known) when it came back.</summary>
public sealed record LeakReport
{
    /// <summary>Sequence number of the lease within its guard.</summary>
    public required long Id { get; init; }

    /// <summary>The pool the connection belongs to.</summary>
    public required string PoolName { get; init; }

    /// <summary>The operation (route) that took the lease, if any was ambient.</summary>
    public string? Operation { get; init; }

    /// <summary>The borrower's stack at the moment it opened the connection.</summary>
    public required string StackTrace { get; init; }

    /// <summary>When the connection was handed out.</summary>
    public required DateTimeOffset AcquiredAt { get; init; }

    /// <summary>When the threshold was crossed.</summary>
    public required DateTimeOffset DetectedAt { get; init; }

    /// <summary>When the connection was finally returned; null while still held.</summary>
    public DateTimeOffset? ReturnedAt { get; init; }

    /// <summary>Total hold time once returned; null while still held.</summary>
    public TimeSpan? HeldFor { get; init; }
}
