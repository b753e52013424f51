namespace Lifeguard.Cli.Drill;

/// <summary>The drill's traffic rates, derived from what a pool serves (its connections over the connection time per request).</summary>
internal static class DrillTraffic
{
    /// <summary>Requests per second <paramref name="pool"/> connections serve at the measured connection time per request;
    /// <paramref name="unmeasured"/> when nothing was measured.</summary>
    public static double PoolCapacity(int pool, double leasesPerRequest, double holdMeanMs, double unmeasured)
    {
        var perRequest = leasesPerRequest * holdMeanMs / 1000.0;
        return perRequest > 0 ? pool / perRequest : unmeasured;
    }

    /// <summary>
    /// The pool drill's peak: <paramref name="factor"/> times what the misconfigured pool serves (so it queues), but at
    /// least twice normal traffic and at most 250 req/s (far below what the machine serves with a right pool).
    /// </summary>
    public static double PeakRate(double capacity, double normalRate, double factor) =>
        Math.Round(Math.Clamp(factor * capacity, 2 * normalRate, 250), 1);

    /// <summary>
    /// The cpu demonstration's surge: <paramref name="factor"/> times what the pool serves while the database is CPU-bound
    /// (measured in the fault phase), so there is an excess to shed on a quiet machine as on a busy one; at least twice
    /// normal traffic, at most 150 req/s.
    /// </summary>
    public static double SurgeRate(int pool, double normalRate, double leasesPerRequest, double holdMeanMs, double factor) =>
        Math.Round(Math.Clamp(factor * PoolCapacity(pool, leasesPerRequest, holdMeanMs, 4 * normalRate), 2 * normalRate, 150), 1);
}
