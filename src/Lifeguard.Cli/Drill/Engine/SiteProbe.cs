using System.Net.Http.Json;
using System.Text.Json;
using Lifeguard.Cli.Metrics;
using Lifeguard.Contracts;

namespace Lifeguard.Cli.Drill.Engine;

/// <summary>
/// Every read the drill makes of a site's management address, in one place: the guard's pool and its leak reports
/// (/lifeguard/state) and the live diagnosis (/lifeguard/diagnosis), both read as the shared contracts.
/// </summary>
internal sealed class SiteProbe(Uri managementUrl) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = managementUrl, Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>The guard's pools as /lifeguard/state says now, summed when several (cumulative histograms: subtract two readings for an interval).</summary>
    public Task<PoolSnapshot> ReadPoolAsync() => LifeguardStateReader.ReadAllPoolsAsync(_http);

    /// <summary>The site's diagnosis of this second; null when a starved site missed it (the next covers it).</summary>
    public async Task<Lifeguard.Diagnosis.DiagnosisReport?> ReadDiagnosisAsync()
    {
        try
        {
            return await _http.GetFromJsonAsync<Lifeguard.Diagnosis.DiagnosisReport>("/lifeguard/diagnosis", ContractJson.Options).ConfigureAwait(false);
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
        var state = await LifeguardStateReader.ReadAsync(_http).ConfigureAwait(false);
        if (state.RecentLeaks.Count == 0) return ("(no leak report)", "(none)");
        var top = state.RecentLeaks.GroupBy(l => l.Operation ?? "").OrderByDescending(g => g.Count()).First();
        var stack = top.First().StackTrace;
        // The borrower: the website's own frame that is not its middleware (async stacks list those too).
        var frames = stack.Split('\n').Select(x => x.Trim()).Where(x => x.Contains("Website.", StringComparison.Ordinal)).ToList();
        var frame = frames.FirstOrDefault(x => !x.Contains("Middleware", StringComparison.Ordinal)) ?? frames.FirstOrDefault() ?? stack.Split('\n')[0].Trim();
        return (top.Key.Length == 0 ? "(unnamed)" : top.Key, frame);
    }

    public void Dispose() => _http.Dispose();
}
