namespace Lifeguard.Cli.Drill;

/// <summary>One second of the drill: what users saw, what the pool did, what the database did.</summary>
internal sealed record DrillSample
{
    public double T { get; init; }
    public required string Phase { get; init; }
    public long Requests { get; init; }
    public long Errors { get; init; }
    public double P50Ms { get; init; }
    public double P99Ms { get; init; }
    public double PoolUsed { get; init; }
    public double PoolMax { get; init; }
    public double PoolPending { get; init; }
    public double WaitP99Ms { get; init; }
    public double HoldP99Ms { get; init; }
    public double HoldMeanMs { get; init; }
    /// <summary>Connection requests per second: granted plus timed out (demand, even when the pool cannot serve it).</summary>
    public double LeaseRequestRate { get; init; }
    public double Timeouts { get; init; }
    public double Leaks { get; init; }
    public int DbActive { get; init; }
    public int DbBackends { get; init; }
    public double DbCpuCores { get; init; }
    /// <summary>The cause the site's diagnoser named at this second (its /lifeguard/diagnosis).</summary>
    public string? Cause { get; init; }

    public double ErrorRate => Requests == 0 ? 0 : (double)Errors / Requests;
}
