namespace Lifeguard.Sizing;

/// <summary>The pool-size sweep's judgement (`lifeguard sweep` measures, this judges), pure logic: which measured size is best, and how each way of choosing a size compares with it.</summary>
internal static class SweepAnalysis
{
    /// <summary>A size with more errors than this never counts as good, however fast its failures were.</summary>
    public const double MaxErrorRate = 0.01;

    /// <summary>Npgsql's default Maximum Pool Size.</summary>
    public const int NpgsqlDefault = 100;

    /// <summary>HikariCP's rule of thumb: connections = cores × 2 + effective spindles (one).</summary>
    public static int HikariRule(int databaseCores) => (databaseCores * 2) + 1;

    /// <summary>Lowest p99 and highest throughput among sizes with few errors (all sizes when none qualifies).</summary>
    public static (double BestP99Ms, double BestThroughputRps) Best(IReadOnlyList<SweepPoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Count == 0) throw new ArgumentException("no measured sizes", nameof(points));
        var healthy = points.Where(p => p.ErrorRate <= MaxErrorRate).ToList();
        var pool = healthy.Count > 0 ? healthy : points.ToList();
        return (pool.Min(p => p.P99Ms), points.Max(p => p.ThroughputRps));
    }

    /// <summary>True when the size's p99 is within the tolerance of the best p99, its throughput within it of the best throughput, and it has few errors.</summary>
    public static bool WithinTolerance(SweepPoint point, double bestP99Ms, double bestThroughputRps, double tolerance)
    {
        ArgumentNullException.ThrowIfNull(point);
        return point.ErrorRate <= MaxErrorRate
            && point.P99Ms <= bestP99Ms * (1 + tolerance)
            && point.ThroughputRps >= bestThroughputRps * (1 - tolerance);
    }

    /// <summary>The smallest size as good as the best (within the tolerance); the lowest-p99 size when none is.</summary>
    public static SweepPoint BestMeasured(IReadOnlyList<SweepPoint> points, double tolerance)
    {
        var (p99, throughput) = Best(points);
        return points.OrderBy(p => p.PoolSize).FirstOrDefault(p => WithinTolerance(p, p99, throughput, tolerance))
            ?? points.OrderBy(p => p.P99Ms).First();
    }

    /// <summary>A pool whose p99 wait for a connection stays under this did not queue: it is unsaturated.</summary>
    public const double UnsaturatedWaitP99Ms = 1.0;

    /// <summary>
    /// The size whose hold times and lease rate feed the advisor: the smallest unsaturated one (no errors, p99 wait for a
    /// connection under 1 ms). There the demand is what arrived, hold times are not stretched by a starved pool, nor by the
    /// extra concurrency a larger pool lets into a shared machine. The largest size when none qualifies.
    /// </summary>
    public static SweepPoint Reference(IReadOnlyList<SweepPoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        return points.Where(p => p.ErrorRate <= MaxErrorRate && p.LeasesPerSecond > 0 && p.PoolWaitP99Ms <= UnsaturatedWaitP99Ms).OrderBy(p => p.PoolSize).FirstOrDefault()
            ?? points.OrderByDescending(p => p.PoolSize).First();
    }

    /// <summary>Advisor, best measured, HikariCP's rule and Npgsql's default, each with what its size measured.</summary>
    public static IReadOnlyList<SweepCandidate> Compare(IReadOnlyList<SweepPoint> points, int advisorSize, int databaseCores, double tolerance)
    {
        var (p99, throughput) = Best(points);
        var best = BestMeasured(points, tolerance);
        SweepCandidate Row(string rule, int size)
        {
            var p = points.FirstOrDefault(x => x.PoolSize == size)
                ?? throw new InvalidOperationException($"pool size {size} ({rule}) was not measured");
            return new SweepCandidate(rule, size, p.ThroughputRps, p.P50Ms, p.P99Ms, p.ErrorRate, p.PoolWaitP99Ms, WithinTolerance(p, p99, throughput, tolerance));
        }

        return
        [
            Row("advisor", advisorSize),
            Row("best_measured", best.PoolSize),
            Row("hikaricp_cores_x2_plus_1", HikariRule(databaseCores)),
            Row("npgsql_default", NpgsqlDefault),
        ];
    }

    /// <summary>
    /// One row from several rounds of the same size: the median of every measure (the mean of two), counts summed.
    /// Rounds run interleaved over all sizes, so a noisy minute on a shared machine spreads over sizes instead of hitting one.
    /// </summary>
    public static SweepPoint Combine(IReadOnlyList<SweepPoint> rounds)
    {
        ArgumentNullException.ThrowIfNull(rounds);
        if (rounds.Count == 0) throw new ArgumentException("no rounds", nameof(rounds));
        if (rounds.Count == 1) return rounds[0];
        double M(Func<SweepPoint, double> f) => Math.Round(Median(rounds.Select(f)), 3);
        double? Predicted() => rounds.Any(r => r.PredictedWaitP99Ms is null) ? null : M(r => r.PredictedWaitP99Ms!.Value);
        var requests = rounds.Sum(r => r.Requests);
        var errors = rounds.Sum(r => r.Errors);
        return new SweepPoint
        {
            PoolSize = rounds[0].PoolSize,
            Rounds = rounds.Count,
            Requests = requests,
            Errors = errors,
            ErrorRate = requests == 0 ? 0 : Math.Round((double)errors / requests, 4),
            ThroughputRps = M(r => r.ThroughputRps),
            P50Ms = M(r => r.P50Ms),
            P99Ms = M(r => r.P99Ms),
            P99MsByRound = rounds.Select(r => r.P99Ms).ToList(),
            PoolWaitP99Ms = M(r => r.PoolWaitP99Ms),
            PoolWaitMeanMs = M(r => r.PoolWaitMeanMs),
            PredictedWaitP99Ms = Predicted(),
            HoldMeanMs = M(r => r.HoldMeanMs),
            HoldP99Ms = M(r => r.HoldP99Ms),
            LeasesPerSecond = M(r => r.LeasesPerSecond),
            PoolTimeouts = rounds.Sum(r => r.PoolTimeouts),
            PeakWaiting = rounds.Max(r => r.PeakWaiting),
            DbCpuCores = M(r => r.DbCpuCores),
            ErrorsByKind = rounds.SelectMany(r => r.ErrorsByKind).GroupBy(kv => kv.Key, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Sum(kv => kv.Value), StringComparer.Ordinal),
        };
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        var mid = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
