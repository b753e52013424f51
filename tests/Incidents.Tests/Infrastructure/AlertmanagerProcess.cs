using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Incidents.Tests.Infrastructure;

/// <summary>
/// The real Alertmanager (Debian's prometheus-alertmanager) with deploy/alertmanager/alertmanager.yml rendered by
/// eng/monitoring/lib.sh exactly as run.sh does (webhook URL and bearer-token file), on 127.0.0.1:9294 with its own data dir.
/// </summary>
internal sealed class AlertmanagerProcess : IAsyncDisposable
{
    public const int Port = 9294;
    private readonly Process _process;
    private readonly string _dir;

    private AlertmanagerProcess(Process process, string dir, string log)
    {
        _process = process;
        _dir = dir;
        LogPath = log;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Port}"), Timeout = TimeSpan.FromSeconds(10) };
    }

    public HttpClient Http { get; }

    public string LogPath { get; }

    public string Log => File.Exists(LogPath) ? File.ReadAllText(LogPath) : "";

    /// <summary>The rendered Prometheus config (scraping the target given, alerting to this Alertmanager).</summary>
    public string PrometheusConfig => Path.Combine(_dir, "config", "prometheus", "prometheus.yml");

    /// <summary>A folder for the test's other state, removed with the Alertmanager's.</summary>
    public string WorkDir => _dir;

    /// <summary>Renders the config for <paramref name="webhook"/> with <paramref name="tokenFile"/>; group_interval of the page route shortened so a resolve arrives in a second.</summary>
    public static async Task<AlertmanagerProcess> StartAsync(string webhook, string tokenFile, string scrapeTarget = "127.0.0.1:5399")
    {
        var binary = TestEnvironment.Program("prometheus-alertmanager");
        var dir = Path.Combine(Path.GetTempPath(), "incidents-am-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var root = TestEnvironment.RepoRoot;
        using (var render = Process.Start(new ProcessStartInfo("bash",
        [
            "-c", "source eng/monitoring/lib.sh && MON_WEBHOOK_TOKEN_FILE=\"$3\" mon_render_configs \"$1\" \"$4\" 127.0.0.1:5398 127.0.0.1:9294 \"$2\"", "render",
            Path.Combine(dir, "config"), webhook, tokenFile, scrapeTarget,
        ]) { WorkingDirectory = root, RedirectStandardError = true })!)
        {
            await render.WaitForExitAsync();
            if (render.ExitCode != 0) throw new InvalidOperationException("mon_render_configs failed: " + await render.StandardError.ReadToEndAsync());
        }

        var config = Path.Combine(dir, "config", "alertmanager", "alertmanager.yml");
        // the page route re-notifies every 1m in production; a test waits 1 s for the resolve instead
        await File.WriteAllTextAsync(config, (await File.ReadAllTextAsync(config)).Replace("group_interval: 1m", "group_interval: 1s", StringComparison.Ordinal));
        var log = Path.Combine(dir, "alertmanager.log");
        var p = TestEnvironment.Start(binary,
            $"--config.file={config} --storage.path={Path.Combine(dir, "data")} --web.listen-address=127.0.0.1:{Port} --cluster.listen-address= --log.level=debug", log);
        var am = new AlertmanagerProcess(p, dir, log);
        for (var i = 0; i < 100; i++)
        {
            if (p.HasExited) throw new InvalidOperationException("Alertmanager exited: " + am.Log);
            try
            {
                if ((await am.Http.GetAsync("/-/ready")).IsSuccessStatusCode) return am;
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        await am.DisposeAsync();
        throw new InvalidOperationException("Alertmanager was not ready on 127.0.0.1:9294 within 10 s (port taken?)");
    }

    /// <summary>Posts one alert to /api/v2/alerts, as Prometheus does; <paramref name="endsAt"/> in the past resolves it.</summary>
    public async Task PostAlertAsync(Dictionary<string, string> labels, Dictionary<string, string> annotations, DateTimeOffset startsAt, DateTimeOffset? endsAt = null)
    {
        var alert = new JsonObject
        {
            ["labels"] = new JsonObject(labels.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
            ["annotations"] = new JsonObject(annotations.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
            ["startsAt"] = startsAt.UtcDateTime.ToString("o"),
            ["generatorURL"] = "http://127.0.0.1:5398/graph",
        };
        if (endsAt is { } e) alert["endsAt"] = e.UtcDateTime.ToString("o");
        using var response = await Http.PostAsJsonAsync("/api/v2/alerts", new JsonArray(alert));
        response.EnsureSuccessStatusCode();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
