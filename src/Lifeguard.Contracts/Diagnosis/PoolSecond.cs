namespace Lifeguard.Diagnosis;

/// <summary>The guard's view of one sampling interval (about a second): counts at its end, and what happened during it.</summary>
public sealed record PoolSecond
{
    /// <summary>Connections handed out at the end of the interval.</summary>
    public int InUse { get; init; }
    /// <summary>The pool's maximum.</summary>
    public int Max { get; init; }
    /// <summary>Opens waiting for a connection at the end of the interval.</summary>
    public int Waiters { get; init; }
    /// <summary>Leases granted during the interval.</summary>
    public long Leases { get; init; }
    /// <summary>p99 wait for a connection among the leases granted in the interval (0 when none).</summary>
    public double WaitP99Ms { get; init; }
    /// <summary>Median hold time of the leases returned in the interval (0 when none).</summary>
    public double HoldP50Ms { get; init; }
    /// <summary>p99 hold time of the leases returned in the interval (0 when none).</summary>
    public double HoldP99Ms { get; init; }
    /// <summary>Leases returned in the interval.</summary>
    public long Returned { get; init; }
    /// <summary>Pool-exhaustion timeouts in the interval.</summary>
    public int Timeouts { get; init; }
    /// <summary>Admission-control rejections in the interval.</summary>
    public int Rejections { get; init; }
    /// <summary>Leaks newly detected in the interval.</summary>
    public int NewLeaks { get; init; }
    /// <summary>Leases held past the leak threshold right now.</summary>
    public int ActiveLeaks { get; init; }
    /// <summary>Hold time per operation in the interval, the operations taking most connection-time first (at most five;
    /// empty when operations are not tracked).</summary>
    public IReadOnlyList<OperationHold> Operations { get; init; } = [];
    /// <summary>Errors by kind in the interval (opens, and query errors the app reported).</summary>
    public ConnectionErrorCounts Errors { get; init; } = ConnectionErrorCounts.None;
}
