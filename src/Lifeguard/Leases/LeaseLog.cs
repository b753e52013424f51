using Microsoft.Extensions.Logging;

namespace Lifeguard.Leases;

/// <summary>The guard's log messages about leases. Event ids and names are stable: alerts and log queries match on them.</summary>
internal static partial class LeaseLog
{
    [LoggerMessage(EventId = 1, EventName = "LeakSuspected", Level = LogLevel.Warning, Message = "Connection leak suspected in pool {PoolName}: lease {LeaseId} taken by {Operation} is held longer than {ThresholdSeconds} s. Borrowed at:\n{StackTrace}")]
    public static partial void LeakSuspected(ILogger logger, string poolName, long leaseId, string operation, double thresholdSeconds, string stackTrace);

    [LoggerMessage(EventId = 2, EventName = "LeakReturned", Level = LogLevel.Warning, Message = "Leaked connection returned to pool {PoolName}: lease {LeaseId} taken by {Operation} was held {HeldSeconds:0.###} s")]
    public static partial void LeakReturned(ILogger logger, string poolName, long leaseId, string operation, double heldSeconds);

    [LoggerMessage(EventId = 3, EventName = "PoolExhausted", Level = LogLevel.Warning, Message = "Connection pool {PoolName} exhausted: an open timed out with {InUse}/{Max} in use and {Waiters} waiting")]
    public static partial void PoolExhausted(ILogger logger, string poolName, int inUse, int max, int waiters);
}
