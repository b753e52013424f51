using Lifeguard.Attribution;
using Lifeguard.Leaks;

namespace Lifeguard;

/// <summary>The pool reading: a consistent-enough picture of a guarded pool at one moment, for health checks, the live
/// page, /lifeguard/state and the CLI. Not sealed only so <see cref="LifeguardState"/> can put the primary pool's reading
/// at the top of its JSON.</summary>
public record PoolSnapshot
{
    /// <summary>The DI service key the pool was registered with, as text; null for the unkeyed pool and in a guard's own snapshot.</summary>
    public string? ServiceKey { get; init; }
    /// <summary>The <c>db.client.connection.pool.name</c>.</summary>
    public required string PoolName { get; init; }
    /// <summary>Connections handed out right now.</summary>
    public required int InUse { get; init; }
    /// <summary>Open connections idle in the pool (exact with a provider hook, else estimated).</summary>
    public required int Idle { get; init; }
    /// <summary>Whether <see cref="Idle"/> came from the provider rather than the estimate.</summary>
    public required bool IdleIsExact { get; init; }
    /// <summary>The pool's configured maximum.</summary>
    public required int Max { get; init; }
    /// <summary>Opens waiting for a connection right now.</summary>
    public required int Waiters { get; init; }
    /// <summary>Leases handed out since start.</summary>
    public required long Leases { get; init; }
    /// <summary>Pool-exhaustion timeouts since start.</summary>
    public required long Timeouts { get; init; }
    /// <summary>Pool-exhaustion timeouts within the health window.</summary>
    public required int RecentTimeouts { get; init; }
    /// <summary>Opens rejected by admission control since start.</summary>
    public required long Rejections { get; init; }
    /// <summary>Opens rejected by admission control within the health window.</summary>
    public required int RecentRejections { get; init; }
    /// <summary>Connection errors other than pool timeouts since start.</summary>
    public required long Errors { get; init; }
    /// <summary>Leaks detected since start.</summary>
    public required long Leaks { get; init; }
    /// <summary>Leases currently held past the leak threshold.</summary>
    public required int ActiveLeaks { get; init; }
    /// <summary>Wait time for a connection over the health window (the last minute by default).</summary>
    public required LatencySummary Wait { get; init; }
    /// <summary>p99 wait within the health window.</summary>
    public required double RecentWaitP99 { get; init; }
    /// <summary>Hold (use) time of returned leases, since start.</summary>
    public required LatencySummary Hold { get; init; }
    /// <summary>Wait times of granted leases since start, bucketed: subtract two readings for an interval.</summary>
    public DurationHistogram WaitTotal { get; init; } = DurationHistogram.Empty;
    /// <summary>Hold times of returned leases since start, bucketed: subtract two readings for an interval.</summary>
    public DurationHistogram HoldTotal { get; init; } = DurationHistogram.Empty;
    /// <summary>Hold times per operation, largest total first.</summary>
    public required IReadOnlyList<OperationStats> Operations { get; init; }
    /// <summary>Most recent leak reports, newest first.</summary>
    public required IReadOnlyList<LeakReport> RecentLeaks { get; init; }
    /// <summary>What times the leases: "tsc (2596 MHz)", "stopwatch (why not tsc)" or "custom TimeProvider".</summary>
    public string Clock { get; init; } = "";
}
