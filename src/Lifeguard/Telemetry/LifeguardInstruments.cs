namespace Lifeguard.Telemetry;

/// <summary>Stable telemetry names (OpenTelemetry database connection-pool conventions plus Lifeguard's own).</summary>
public static class LifeguardInstruments
{
    /// <summary>The meter every Lifeguard instrument belongs to.</summary>
    public const string MeterName = "Lifeguard";
    /// <summary>Histogram, seconds: time to obtain a connection.</summary>
    public const string WaitTime = "db.client.connection.wait_time";
    /// <summary>Histogram, seconds: time between open and close of a lease.</summary>
    public const string UseTime = "db.client.connection.use_time";
    /// <summary>The description (Prometheus HELP) of <see cref="WaitTime"/>, as the OpenTelemetry convention words it.</summary>
    public const string WaitTimeDescription = "Time it took to obtain an open connection from the pool.";
    /// <summary>The description (Prometheus HELP) of <see cref="UseTime"/>, as the OpenTelemetry convention words it.</summary>
    public const string UseTimeDescription = "Time between borrowing a connection and returning it to the pool.";
    /// <summary>Gauge (up-down counter): connections by <see cref="StateTag"/> idle|used.</summary>
    public const string Count = "db.client.connection.count";
    /// <summary>Gauge: configured maximum pool size.</summary>
    public const string Max = "db.client.connection.max";
    /// <summary>Gauge: opens waiting for a connection.</summary>
    public const string PendingRequests = "db.client.connection.pending_requests";
    /// <summary>Counter: opens that timed out waiting for the pool.</summary>
    public const string Timeouts = "db.client.connection.timeouts";
    /// <summary>Counter: leases held past the leak threshold.</summary>
    public const string Leaks = "lifeguard.connection.leaks";
    /// <summary>Counter: opens rejected by admission control.</summary>
    public const string Rejections = "lifeguard.connection.rejections";
    /// <summary>Counter: opens that failed for other reasons than pool exhaustion.</summary>
    public const string Errors = "lifeguard.connection.errors";
    /// <summary>Counter, seconds: connection-seconds held per <see cref="OperationTag"/> (who holds the connections).</summary>
    public const string OperationHoldTime = "lifeguard.operation.hold_time";
    /// <summary>Counter: leases per <see cref="OperationTag"/>.</summary>
    public const string OperationLeases = "lifeguard.operation.leases";
    /// <summary>Tag of the per-operation counters: the route pattern or LifeguardOperation name (at most MaxOperations, then "other").</summary>
    public const string OperationTag = "operation";
    /// <summary>Tag naming the pool.</summary>
    public const string PoolNameTag = "db.client.connection.pool.name";
    /// <summary>Tag of <see cref="Count"/>: idle or used.</summary>
    public const string StateTag = "db.client.connection.state";

    /// <summary>Histogram bucket advice in seconds: 0.1 ms to 30 s, about three per decade.</summary>
    public static IReadOnlyList<double> DurationBuckets { get; } =
    [
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30,
    ];
}
