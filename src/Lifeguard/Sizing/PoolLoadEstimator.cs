namespace Lifeguard.Sizing;

/// <summary>
/// The advisor's inputs estimated from per-second readings of a running pool and its database: the demand that arrived
/// (not what a too-small pool managed to serve) and the number of busy connections that would use up the database's cores.
/// Pure logic, no I/O.
/// </summary>
public static class PoolLoadEstimator
{
    /// <summary>
    /// Connection requests per second that arrived at the pool, from the guard's metrics alone: granted plus timed out
    /// (<c>Requests</c>, per second) plus the growth of the queue (<c>Pending</c> at the end of each second). What a small
    /// pool served would understate the demand.
    /// </summary>
    /// <param name="seconds">One reading per second, in order: its time (seconds), the lease requests of that second,
    /// and the opens waiting at its end.</param>
    public static double ArrivalRatePerSecond(IReadOnlyList<(double AtSeconds, double Requests, double Pending)> seconds)
    {
        ArgumentNullException.ThrowIfNull(seconds);
        if (seconds.Count == 0) return 0;
        // Only while requests kept arriving: up to the longest queue (after that it drains because the load stopped).
        // The last second of the longest queue, when it lasted several.
        var peak = seconds.Select((s, i) => (s.Pending, i)).Max().i;
        var window = seconds.Take(peak + 1).ToList();
        if (window.Count < 2) return seconds.Sum(s => s.Requests) / seconds.Count;
        var elapsed = window[^1].AtSeconds - window[0].AtSeconds;
        var arrived = window.Skip(1).Sum(s => s.Requests) + window[^1].Pending - window[0].Pending;
        return elapsed <= 0 ? 0 : Math.Max(0, arrived / elapsed);
    }

    /// <summary>
    /// How many busy connections would use up the database's cores, from the database CPU measured while connections were
    /// in use: a connection held mostly for network round trips costs the server little. Null when not measurable (fewer
    /// than three seconds with both); never below the cores × 2 + 1 rule, never above the server's connection budget.
    /// </summary>
    /// <param name="seconds">One reading per second: connections in use, and the database's CPU in cores.</param>
    /// <param name="databaseCores">The database's cores.</param>
    /// <param name="serverBudget">Connections the server has for applications (max_connections less reserved slots).</param>
    public static int? SaturationConnections(IReadOnlyList<(double InUse, double DatabaseCpuCores)> seconds, int databaseCores, int serverBudget)
    {
        ArgumentNullException.ThrowIfNull(seconds);
        var busy = seconds.Where(s => s.InUse > 0 && s.DatabaseCpuCores > 0).ToList();
        if (busy.Count < 3) return null;
        var cpuPerConnection = busy.Sum(s => s.DatabaseCpuCores) / busy.Sum(s => s.InUse);
        if (cpuPerConnection <= 0) return null;
        var rule = (databaseCores * 2) + 1;
        return (int)Math.Clamp(Math.Floor(databaseCores / cpuPerConnection), rule, Math.Max(rule, serverBudget));
    }
}
