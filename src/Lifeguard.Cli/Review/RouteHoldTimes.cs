using System.Globalization;
using Lifeguard.Cli.Metrics;

namespace Lifeguard.Cli.Review;

/// <summary>The guard's connection hold time per operation (route), read once from a running instance's
/// /lifeguard/state (the guard's own totals) or its Prometheus /metrics.</summary>
internal static class RouteHoldTimes
{
    /// <summary>One route's mean hold per lease and its total connection-seconds.</summary>
    public sealed record RouteHold(double MeanMs, double TotalSeconds);

    /// <summary>Routes that leased a connection, the most connection-seconds first (what <c>StatementSource.RouteFor</c> breaks ties by).</summary>
    public static async Task<List<KeyValuePair<string, RouteHold>>> ReadAsync(string url, CancellationToken ct, FileInfo? tokenFile = null)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
        {
            throw new CliException($"--metrics-url: '{url}' is not an http(s) URL (e.g. http://127.0.0.1:5081/metrics).");
        }

        using var http = ManagementAccess.CreateClient(tokenFile, TimeSpan.FromSeconds(10));
        Dictionary<string, double> hold, leases;
        try
        {
            if (LifeguardStateReader.IsStateUrl(uri))
            {
                // The guard's own document: the per-operation totals as the guard keeps them, every pool summed.
                var ops = LifeguardStateReader.AllPools(await LifeguardStateReader.ReadAsync(http, uri, ct).ConfigureAwait(false)).Operations;
                hold = ops.GroupBy(o => o.Operation, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(o => o.TotalHoldSeconds), StringComparer.Ordinal);
                leases = ops.GroupBy(o => o.Operation, StringComparer.Ordinal).ToDictionary(g => g.Key, g => (double)g.Sum(o => o.Leases), StringComparer.Ordinal);
            }
            else
            {
                var samples = PrometheusText.Parse(await http.GetStringAsync(uri, ct).ConfigureAwait(false));
                hold = Sum(samples, "lifeguard_operation_hold_time");
                leases = Sum(samples, "lifeguard_operation_leases");
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            var why = e is HttpRequestException h ? ManagementAccess.Explain(h, http.DefaultRequestHeaders.Authorization is not null) : e.Message;
            throw new CliException($"--metrics-url: cannot read {url}: {why}", e);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new CliException($"--metrics-url: {url} did not answer with the guard's state document: {e.Message}", e);
        }

        return hold.Where(h => leases.GetValueOrDefault(h.Key) > 0)
            .OrderByDescending(h => h.Value).ThenBy(h => h.Key, StringComparer.Ordinal)
            .Select(h => KeyValuePair.Create(h.Key, new RouteHold(1000 * h.Value / leases[h.Key], h.Value)))
            .ToList();
    }

    private static Dictionary<string, double> Sum(List<PrometheusSample> samples, string prefix) =>
        samples.Where(s => s.Name.StartsWith(prefix, StringComparison.Ordinal) && s.Label("operation") is not null)
            .GroupBy(s => s.Label("operation")!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Sum(s => s.Value), StringComparer.Ordinal);

    public static string Format(double ms) => ms.ToString("0.##", CultureInfo.InvariantCulture);
}
