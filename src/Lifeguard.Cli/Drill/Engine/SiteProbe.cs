using System.Net.Http.Json;
using System.Text.Json;
using Lifeguard.Cli.Metrics;

namespace Lifeguard.Cli.Drill.Engine;

/// <summary>
/// Every read the drill makes of a site's management address, in one place: the guard's pool (/metrics), the live
/// diagnosis (/lifeguard/diagnosis) and the leak reports (/lifeguard/state). The one class to switch to the shared
/// contract reader.
/// </summary>
internal sealed class SiteProbe(Uri managementUrl) : IDisposable
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);
    private readonly HttpClient _http = new() { BaseAddress = managementUrl, Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>The guard's pool as /metrics says now (cumulative histograms: subtract two readings for an interval).</summary>
    public Task<PoolReading> ReadPoolAsync() => PoolReading.ScrapeAsync(_http);

    /// <summary>The site's diagnosis of this second; null when a starved site missed it (the next covers it).</summary>
    public async Task<Lifeguard.Diagnosis.Diagnosis?> ReadDiagnosisAsync()
    {
        try
        {
            return await _http.GetFromJsonAsync<Lifeguard.Diagnosis.Diagnosis>("/lifeguard/diagnosis", Web).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            return null;
        }
    }

    /// <summary>The most frequent operation (route) among the site's recent leak reports, and the first frame of its
    /// stack that is the website's own code.</summary>
    public async Task<(string Route, string Frame)> ReadLeakSourceAsync()
    {
        using var doc = JsonDocument.Parse(await _http.GetStringAsync(new Uri("/lifeguard/state", UriKind.Relative)).ConfigureAwait(false));
        // The state's names follow the host's JSON options today (snake_case or camelCase); both are read.
        var leaks = doc.RootElement.TryGetProperty("recent_leaks", out var r) || doc.RootElement.TryGetProperty("recentLeaks", out r)
            ? r.EnumerateArray().ToList() : [];
        if (leaks.Count == 0) return ("(no leak report)", "(none)");
        static string Prop(JsonElement e, string snake, string camel) =>
            e.TryGetProperty(snake, out var v) || e.TryGetProperty(camel, out v) ? v.GetString() ?? "" : "";
        var top = leaks.GroupBy(l => Prop(l, "operation", "operation")).OrderByDescending(g => g.Count()).First();
        var stack = Prop(top.First(), "stack_trace", "stackTrace");
        // The borrower: the website's own frame that is not its middleware (async stacks list those too).
        var frames = stack.Split('\n').Select(x => x.Trim()).Where(x => x.Contains("Website.", StringComparison.Ordinal)).ToList();
        var frame = frames.FirstOrDefault(x => !x.Contains("Middleware", StringComparison.Ordinal)) ?? frames.FirstOrDefault() ?? stack.Split('\n')[0].Trim();
        return (top.Key.Length == 0 ? "(unnamed)" : top.Key, frame);
    }

    public void Dispose() => _http.Dispose();
}
