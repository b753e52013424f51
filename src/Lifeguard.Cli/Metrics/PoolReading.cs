using System.Globalization;

namespace Lifeguard.Cli.Metrics;

/// <summary>
/// What the guard's /metrics says about one pool at one instant (OpenTelemetry DB-pool metric names
/// as exported to Prometheus). Histograms are cumulative; subtract two readings for an interval.
/// </summary>
internal sealed record PoolReading
{
    public double Used { get; init; }
    public double Idle { get; init; }
    public double Max { get; init; }
    public double Pending { get; init; }
    public double TimeoutsTotal { get; init; }
    public double LeaksTotal { get; init; }
    /// <summary>Opens rejected by admission control (the guard's lifeguard.connection.rejections) since the site started.</summary>
    public double RejectionsTotal { get; init; }
    public required HistogramReading Wait { get; init; }
    public required HistogramReading Use { get; init; }

    /// <summary>Reads the site's /metrics (relative to the client's base address) and distils all pools.</summary>
    public static async Task<PoolReading> ScrapeAsync(HttpClient site, CancellationToken ct = default)
    {
        var text = await site.GetStringAsync(new Uri("/metrics", UriKind.Relative), ct).ConfigureAwait(false);
        return From(PrometheusText.Parse(text));
    }

    /// <summary>Distils the samples of one pool (all pools summed when <paramref name="pool"/> is null).</summary>
    public static PoolReading From(IReadOnlyList<PrometheusSample> samples, string? pool = null)
    {
        bool Mine(PrometheusSample s) => pool is null || s.Label("db_client_connection_pool_name") == pool;
        double Sum(string name, Func<PrometheusSample, bool>? extra = null) =>
            samples.Where(s => s.Name == name && Mine(s) && (extra?.Invoke(s) ?? true)).Sum(s => s.Value);

        return new PoolReading
        {
            Used = Sum("db_client_connection_count", s => s.Label("db_client_connection_state") == "used"),
            Idle = Sum("db_client_connection_count", s => s.Label("db_client_connection_state") == "idle"),
            Max = Sum("db_client_connection_max"),
            Pending = Sum("db_client_connection_pending_requests"),
            TimeoutsTotal = Sum("db_client_connection_timeouts_total"),
            LeaksTotal = Sum("lifeguard_connection_leaks_total"),
            RejectionsTotal = Sum("lifeguard_connection_rejections_total"),
            Wait = HistogramReading.From(samples, "db_client_connection_wait_time_seconds", Mine),
            Use = HistogramReading.From(samples, "db_client_connection_use_time_seconds", Mine),
        };
    }
}

/// <summary>A cumulative Prometheus histogram: buckets by upper bound, sum and count.</summary>
internal sealed record HistogramReading(IReadOnlyList<(double UpperBound, double Count)> Buckets, double Sum, double Count)
{
    public static HistogramReading From(IReadOnlyList<PrometheusSample> samples, string baseName, Func<PrometheusSample, bool> mine)
    {
        var buckets = samples
            .Where(s => s.Name == baseName + "_bucket" && mine(s) && s.Label("le") is not null)
            .GroupBy(s => ParseBound(s.Label("le")!))
            .Select(g => (g.Key, g.Sum(s => s.Value)))
            .OrderBy(b => b.Key)
            .ToList();
        return new HistogramReading(
            buckets,
            samples.Where(s => s.Name == baseName + "_sum" && mine(s)).Sum(s => s.Value),
            samples.Where(s => s.Name == baseName + "_count" && mine(s)).Sum(s => s.Value));
    }

    /// <summary>This reading minus an earlier one: the observations made in between.</summary>
    public HistogramReading Since(HistogramReading earlier)
    {
        var before = earlier.Buckets.ToDictionary(b => b.UpperBound, b => b.Count);
        return new HistogramReading(
            Buckets.Select(b => (b.UpperBound, Math.Max(0, b.Count - before.GetValueOrDefault(b.UpperBound)))).ToList(),
            Math.Max(0, Sum - earlier.Sum),
            Math.Max(0, Count - earlier.Count));
    }

    /// <summary>The q-quantile in seconds, NaN when nothing was observed.</summary>
    public double Quantile(double q) => Quantiles.Interpolated(Buckets, Buckets.Count == 0 ? 0 : Buckets[^1].Count, q);

    public double Mean => Count <= 0 ? double.NaN : Sum / Count;

    private static double ParseBound(string le) =>
        le == "+Inf" ? double.PositiveInfinity : double.Parse(le, NumberStyles.Float, CultureInfo.InvariantCulture);
}
