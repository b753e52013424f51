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

    /// <summary>Whether <paramref name="url"/> names a state endpoint rather than a Prometheus /metrics.</summary>
    public static bool IsStateUrl(Uri url) => url.AbsolutePath.TrimEnd('/').EndsWith(Path, StringComparison.Ordinal);
}
