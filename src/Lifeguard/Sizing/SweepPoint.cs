namespace Lifeguard.Sizing;

/// <summary>What one pool size did under the sweep's fixed load (a row of `lifeguard sweep`'s JSON report, snake_case there).</summary>
internal sealed record SweepPoint
{
    public int PoolSize { get; init; }
    /// <summary>Rounds this row combines (medians of each measure).</summary>
    public int Rounds { get; init; } = 1;
    public long Requests { get; init; }
    /// <summary>Successful responses completed inside the measured window, per second (an open loop's backlog does not count).</summary>
    public double ThroughputRps { get; init; }
    public long Errors { get; init; }
    public double ErrorRate { get; init; }
    public double P50Ms { get; init; }
    public double P99Ms { get; init; }
    /// <summary>p99 of each round, to show how much the machine's noise moves it.</summary>
    public IReadOnlyList<double> P99MsByRound { get; init; } = [];
    /// <summary>p99 wait for a connection from the guard's histogram (interpolated inside its bucket).</summary>
    public double PoolWaitP99Ms { get; init; }
    public double PoolWaitMeanMs { get; init; }
    /// <summary>The model's p99 wait at this size for the reference load; null when the model says the queue grows without bound.</summary>
    public double? PredictedWaitP99Ms { get; init; }
    public double HoldMeanMs { get; init; }
    public double HoldP99Ms { get; init; }
    /// <summary>Connection leases granted per second (the pool's arrival rate when it keeps up).</summary>
    public double LeasesPerSecond { get; init; }
    public double PoolTimeouts { get; init; }
    public double PeakWaiting { get; init; }
    public double DbCpuCores { get; init; }
    public required IReadOnlyDictionary<string, long> ErrorsByKind { get; init; }
}
