using Lifeguard.Cli.Metrics;
using System.Diagnostics;
using System.Text.Json;

namespace Lifeguard.Cli.Size;

/// <summary>Reads a guarded app's /lifeguard/state (the contract) or a Prometheus /metrics URL twice, a window apart, and
/// returns the pool's load in between.</summary>
internal static class MetricsSampler
{
    public sealed record Result(string Pool, double ArrivalRatePerSecond, double Leases, TimeSpan Elapsed, Lifeguard.Sizing.HoldTimeDistribution Hold, double? CurrentMaximumPoolSize);

    public static async Task<Result> SampleAsync(Uri url, TimeSpan window, string? pool, CancellationToken cancellationToken, FileInfo? tokenFile = null)
    {
        using var http = ManagementAccess.CreateClient(tokenFile, TimeSpan.FromSeconds(10));
        var first = await ScrapeAsync(http, url, pool, cancellationToken).ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        await Task.Delay(window, cancellationToken).ConfigureAwait(false);
        var second = await ScrapeAsync(http, url, first.Pool, cancellationToken).ConfigureAwait(false);
        var elapsed = clock.Elapsed;
        var (count, hold) = second.Since(first);
        return new Result(first.Pool, count / elapsed.TotalSeconds, count, elapsed, hold, second.MaximumPoolSize);
    }

    private static async Task<UseTimeSnapshot> ScrapeAsync(HttpClient http, Uri url, string? pool, CancellationToken cancellationToken)
    {
        try
        {
            if (LifeguardStateReader.IsStateUrl(url))
                return UseTimeSnapshot.From(await LifeguardStateReader.ReadAsync(http, url, cancellationToken).ConfigureAwait(false), pool);
            var text = await http.GetStringAsync(url, cancellationToken).ConfigureAwait(false);
            return UseTimeSnapshot.From(PrometheusText.Parse(text), pool);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException || e is TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            var why = e is HttpRequestException h ? ManagementAccess.Explain(h, http.DefaultRequestHeaders.Authorization is not null) : e.Message;
            throw new CliException($"--metrics-url: cannot scrape {url}: {why}", e);
        }
    }
}
