namespace Lifeguard.Cli.Metrics;

/// <summary>
/// The guard's pools at one instant as the drill and the sweep sample them every second, read from /lifeguard/state
/// (<see cref="LifeguardStateReader"/>). Histograms are cumulative; subtract two readings for an interval.
/// </summary>
internal sealed record PoolReading
{
    public double Used { get; init; }
    public double Idle { get; init; }
    public double Max { get; init; }
    public double Pending { get; init; }
    public double TimeoutsTotal { get; init; }
    public double LeaksTotal { get; init; }
    /// <summary>Opens rejected by admission control since the site started.</summary>
    public double RejectionsTotal { get; init; }
    public required HistogramReading Wait { get; init; }
    public required HistogramReading Use { get; init; }

    /// <summary>Reads the site's /lifeguard/state (relative to the client's base address, its management address), all pools summed.</summary>
    public static async Task<PoolReading> ScrapeAsync(HttpClient site, CancellationToken ct = default) =>
        From(await LifeguardStateReader.ReadAsync(site, ct).ConfigureAwait(false));

    /// <summary>Distils one pool of the state (all pools summed when <paramref name="pool"/> is null).</summary>
    public static PoolReading From(LifeguardState state, string? pool = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        IReadOnlyList<PoolSnapshot> all = state.Pools.Count > 0 ? state.Pools : [state];
        var pools = all.Where(p => pool is null || p.PoolName == pool).ToList();
        return new PoolReading
        {
            Used = pools.Sum(p => p.InUse),
            Idle = pools.Sum(p => p.Idle),
            Max = pools.Sum(p => p.Max),
            Pending = pools.Sum(p => p.Waiters),
            TimeoutsTotal = pools.Sum(p => p.Timeouts),
            LeaksTotal = pools.Sum(p => p.Leaks),
            RejectionsTotal = pools.Sum(p => p.Rejections),
            Wait = HistogramReading.Of(pools.Select(p => p.WaitTotal)),
            Use = HistogramReading.Of(pools.Select(p => p.HoldTotal)),
        };
    }
}
