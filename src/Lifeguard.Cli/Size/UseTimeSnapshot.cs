using Lifeguard.Cli.Metrics;
using Lifeguard.Sizing;

namespace Lifeguard.Cli.Size;

/// <summary>
/// One pool's hold (use) time histogram at one reading: the guard's own (<see cref="Durations"/>, from /lifeguard/state) or
/// a Prometheus scrape's db_client_connection_use_time_seconds; two snapshots give the arrival rate (Δcount / Δt) and the
/// hold-time distribution of the window.
/// </summary>
internal sealed record UseTimeSnapshot(string Pool, double Count, double Sum, IReadOnlyList<(double UpperBoundSeconds, double CumulativeCount)> Buckets, double? MaximumPoolSize)
{
    /// <summary>The guard's own buckets when read from /lifeguard/state; null from Prometheus text.</summary>
    public DurationHistogram? Durations { get; init; }

    /// <summary>Picks one pool from a guarded app's state; with several pools and none named, it is ambiguous and fails.</summary>
    public static UseTimeSnapshot From(LifeguardState state, string? pool)
    {
        IReadOnlyList<PoolSnapshot> all = state.Pools.Count > 0 ? state.Pools : [state];
        var names = all.Select(p => p.PoolName).Distinct(StringComparer.Ordinal).ToList();
        var chosen = pool ?? (names.Count == 1 ? names[0] : throw new CliException($"several pools in the state ({string.Join(", ", names)}): choose one with --pool."));
        var p = all.FirstOrDefault(p => p.PoolName == chosen) ?? throw new CliException($"no pool '{chosen}' in the state (found: {string.Join(", ", names)}).");
        return new UseTimeSnapshot(chosen, p.HoldTotal.Count, p.HoldTotal.SumSeconds, p.HoldTotal.Cumulative(), p.Max) { Durations = p.HoldTotal };
    }

    public const string Metric = "db_client_connection_use_time_seconds";
    public const string PoolLabel = "db_client_connection_pool_name";

    /// <summary>Picks one pool's histogram from a scrape; with several pools and none named, it is ambiguous and fails.</summary>
    public static UseTimeSnapshot From(IReadOnlyList<PrometheusSample> samples, string? pool)
    {
        var counts = samples.Where(s => s.Name == Metric + "_count").ToList();
        var pools = counts.Select(s => s.Labels.GetValueOrDefault(PoolLabel, "")).Distinct(StringComparer.Ordinal).ToList();
        if (pools.Count == 0) throw new CliException($"the metrics have no {Metric} histogram (is Lifeguard attached to the data source?).");
        var chosen = pool ?? (pools.Count == 1 ? pools[0] : throw new CliException($"several pools in the metrics ({string.Join(", ", pools)}): choose one with --pool."));
        if (!pools.Contains(chosen, StringComparer.Ordinal)) throw new CliException($"no pool '{chosen}' in the metrics (found: {string.Join(", ", pools)}).");

        bool Mine(PrometheusSample s) => s.Labels.GetValueOrDefault(PoolLabel, "") == chosen;
        var count = samples.Where(s => s.Name == Metric + "_count" && Mine(s)).Sum(s => s.Value);
        var sum = samples.Where(s => s.Name == Metric + "_sum" && Mine(s)).Sum(s => s.Value);
        var buckets = samples.Where(s => s.Name == Metric + "_bucket" && Mine(s) && s.Labels.ContainsKey("le"))
            .GroupBy(s => PrometheusText.TryParseValue(s.Labels["le"]) ?? double.NaN)
            .Where(g => !double.IsNaN(g.Key))
            .Select(g => (g.Key, g.Sum(s => s.Value)))
            .OrderBy(b => b.Key)
            .ToList();
        var max = samples.FirstOrDefault(s => s.Name == "db_client_connection_max" && Mine(s))?.Value;
        return new UseTimeSnapshot(chosen, count, sum, buckets, max);
    }

    /// <summary>The leases that ended between <paramref name="earlier"/> and this snapshot, as a hold-time distribution.</summary>
    public (double Count, HoldTimeDistribution Hold) Since(UseTimeSnapshot earlier)
    {
        var count = Count - earlier.Count;
        var sum = Sum - earlier.Sum;
        if (count <= 0 || sum <= 0) throw new CliException($"no connection was used in pool '{Pool}' during the window: put load on the application or widen --window.");
        if (Durations is not null && earlier.Durations is not null)
        {
            // The guard's buckets are sparse: subtract counts per bucket, then accumulate (not cumulative points by bound).
            return (count, HoldTimeDistribution.FromHistogram(Durations.Since(earlier.Durations).Cumulative(), sum, count));
        }
        var before = earlier.Buckets.ToDictionary(b => b.UpperBoundSeconds, b => b.CumulativeCount);
        var delta = Buckets.Select(b => (b.UpperBoundSeconds, b.CumulativeCount - before.GetValueOrDefault(b.UpperBoundSeconds))).ToList();
        return (count, HoldTimeDistribution.FromHistogram(delta, sum, count));
    }
}
