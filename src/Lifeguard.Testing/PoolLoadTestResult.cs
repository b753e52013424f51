namespace Lifeguard.Testing;

/// <summary>What a <see cref="PoolLoadTest"/> run measured.</summary>
/// <param name="Workers">Concurrent workers (closed loop), or the peak number of leases in flight (open loop, <see cref="PoolLoadTest.RunPoissonAsync"/>).</param>
/// <param name="Elapsed">Wall time of the run, including the last in-flight operations.</param>
/// <param name="Operations">Units of work completed.</param>
/// <param name="Timeouts">Opens that failed because the pool had no connection within its Timeout.</param>
/// <param name="Errors">Other failures (open or work), see <see cref="FirstError"/>.</param>
/// <param name="Wait">Time from asking for a connection to getting it, seconds (successful opens only).</param>
/// <param name="Hold">Time from getting the connection to giving it back (work + dispose), seconds.</param>
/// <param name="FirstError">The first non-timeout failure, for the test's message.</param>
public sealed record PoolLoadTestResult(int Workers, TimeSpan Elapsed, int Operations, int Timeouts, int Errors, LatencySummary Wait, LatencySummary Hold, Exception? FirstError)
{
    /// <summary>Completed operations per second.</summary>
    public double Throughput => Elapsed > TimeSpan.Zero ? Operations / Elapsed.TotalSeconds : 0;

    /// <summary>Leases per second and mean hold, with the keys `lifeguard size --from-json` reads (arrival_rate_per_second,
    /// hold_mean_ms, hold_p99_ms): serialise it as it is and pass the file.</summary>
    public IReadOnlyDictionary<string, double> ToSizingInput() => new Dictionary<string, double>
    {
        ["arrival_rate_per_second"] = Throughput,
        ["hold_mean_ms"] = Hold.Mean * 1000,
        ["hold_p99_ms"] = Hold.P99 * 1000,
    };
}
