using System.Net.Http.Json;
using System.Text.Json;
using Lifeguard.Contracts;

namespace Lifeguard.Cli.Metrics;

/// <summary>How the CLI reads a guarded app: its management address's /lifeguard/state, deserialised into the contract
/// (<see cref="LifeguardState"/>) with the contract's own JSON options, rather than scraping and re-deriving Prometheus text.</summary>
internal static class LifeguardStateReader
{
    public const string Path = "/lifeguard/state";

    /// <summary>Reads the state from the client's base address (the management address).</summary>
    public static Task<LifeguardState> ReadAsync(HttpClient management, CancellationToken ct = default) =>
        ReadAsync(management, new Uri(Path, UriKind.Relative), ct);

    /// <summary>Reads the state at <paramref name="url"/>.</summary>
    public static async Task<LifeguardState> ReadAsync(HttpClient http, Uri url, CancellationToken ct = default) =>
        await http.GetFromJsonAsync<LifeguardState>(url, ContractJson.Options, ct).ConfigureAwait(false)
        ?? throw new JsonException($"{url} answered null.");

    /// <summary>The state's pools as one reading, which is what the drill and the sweep sample: the one pool itself, or
    /// with several, their counts and cumulative histograms added. Windowed percentiles do not add, so a sum's
    /// <see cref="PoolSnapshot.Wait"/>, <see cref="PoolSnapshot.Hold"/> and <see cref="PoolSnapshot.RecentWaitP99"/> are
    /// left empty: read <see cref="PoolSnapshot.WaitTotal"/> and <see cref="PoolSnapshot.HoldTotal"/> instead.</summary>
    public static PoolSnapshot AllPools(LifeguardState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Pools.Count == 0) return state;
        if (state.Pools.Count == 1) return state.Pools[0];
        var pools = state.Pools;
        return new PoolSnapshot
        {
            PoolName = string.Join("+", pools.Select(p => p.PoolName)),
            InUse = pools.Sum(p => p.InUse),
            Idle = pools.Sum(p => p.Idle),
            IdleIsExact = pools.All(p => p.IdleIsExact),
            Max = pools.Sum(p => p.Max),
            Waiters = pools.Sum(p => p.Waiters),
            Leases = pools.Sum(p => p.Leases),
            Timeouts = pools.Sum(p => p.Timeouts),
            RecentTimeouts = pools.Sum(p => p.RecentTimeouts),
            Rejections = pools.Sum(p => p.Rejections),
            RecentRejections = pools.Sum(p => p.RecentRejections),
            Errors = pools.Sum(p => p.Errors),
            Leaks = pools.Sum(p => p.Leaks),
            ActiveLeaks = pools.Sum(p => p.ActiveLeaks),
            Wait = LatencySummary.Empty,
            RecentWaitP99 = 0,
            Hold = LatencySummary.Empty,
            WaitTotal = DurationHistogram.Sum(pools.Select(p => p.WaitTotal)),
            HoldTotal = DurationHistogram.Sum(pools.Select(p => p.HoldTotal)),
            Operations = [.. pools.SelectMany(p => p.Operations)],
            RecentLeaks = [.. pools.SelectMany(p => p.RecentLeaks)],
            Clock = pools[0].Clock,
        };
    }

    /// <summary>Reads the state from the client's base address and returns <see cref="AllPools"/> of it.</summary>
    public static async Task<PoolSnapshot> ReadAllPoolsAsync(HttpClient management, CancellationToken ct = default) =>
        AllPools(await ReadAsync(management, ct).ConfigureAwait(false));

    /// <summary>Whether <paramref name="url"/> names a state endpoint rather than a Prometheus /metrics.</summary>
    public static bool IsStateUrl(Uri url) => url.AbsolutePath.TrimEnd('/').EndsWith(Path, StringComparison.Ordinal);
}
