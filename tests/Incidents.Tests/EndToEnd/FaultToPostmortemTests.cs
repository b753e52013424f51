using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Incidents.Tests.Infrastructure;
using Microsoft.Playwright;
using Npgsql;

namespace Incidents.Tests.EndToEnd;

/// <summary>
/// The whole path with the real programs: the guarded website (Maximum Pool Size=2) on PostgreSQL, a real fault (its tables
/// locked while 8 logged-in users load dashboards), Prometheus with deploy/'s rules, Alertmanager with deploy/'s routes and
/// the bearer token, the incident service; a responder acknowledges in Chromium; the fault ends, the alert resolves, the
/// incident resolves; the postmortem has the timeline. With LIFEGUARD_RECORD_BENCHMARKS=1 the run's MTTD/MTTA/MTTR go
/// into BENCHMARKS.md.
/// </summary>
[Collection(AlertmanagerCollection.Name)]
public sealed partial class FaultToPostmortemTests : IAsyncLifetime
{
    private const int SitePort = 5399;
    private const int PrometheusPort = 5398;
    private const int ManagementPort = 5397;
    private readonly List<Process> _processes = [];
    private TestDatabase _db = null!;
    private RunningService _service = null!;
    private string _tokenFile = null!;
    private string _siteDb = "";
    private string? _siteLog;

    public async ValueTask InitializeAsync()
    {
        TestEnvironment.Program("prometheus");
        TestEnvironment.Program("prometheus-alertmanager");
        _db = await TestDatabase.CreateAsync();
        _tokenFile = Path.Combine(Path.GetTempPath(), "incidents-token-" + Guid.NewGuid().ToString("N")[..8]);
        await File.WriteAllTextAsync(_tokenFile, RunningService.Token);
        _service = await RunningService.StartAsync(_db.ConnectionString, new Dictionary<string, string?>
        {
            ["Incidents:Token"] = null,
            ["Incidents:TokenFile"] = _tokenFile,
            // the site's management address (or the site itself when it serves /metrics there): where evidence comes from
            ["Incidents:Evidence:Targets:management"] = $"http://127.0.0.1:{ManagementPort}",
            ["Incidents:Evidence:Targets:site"] = $"http://127.0.0.1:{SitePort}",
        });
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var p in _processes.Where(p => !p.HasExited))
        {
            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync();
        }

        await _service.DisposeAsync();
        await _db.DisposeAsync();
        if (_siteDb.Length > 0)
        {
            await using var admin = new NpgsqlConnection(TestEnvironment.ServerConnectionString);
            await admin.OpenAsync();
            await Lifeguard.TestSupport.TestPostgres.DropDatabaseAsync(admin, _siteDb);
        }

        File.Delete(_tokenFile);
        if (_siteLog is not null) File.Delete(_siteLog);
    }

    [Fact]
    public async Task Fault_ThroughPrometheusAndAlertmanager_IncidentAcknowledgedInBrowserResolvesWithPostmortem()
    {
        var siteDll = Path.Combine(TestEnvironment.RepoRoot, "apps", "Website", "bin", "Release", "net10.0", "Website.dll");
        File.Exists(siteDll).ShouldBeTrue($"{siteDll} is missing: build the solution (test.sh does)");
        var siteCs = await CreateSiteDatabaseAsync();
        var env = new Dictionary<string, string> { ["ConnectionStrings__Main"] = siteCs, ["Website__AccountPostPermitLimit"] = "1000" };
        await RunToEndAsync("dotnet", $"{siteDll} migrate", env);
        await RunToEndAsync("dotnet", $"{siteDll} seed --scale 0.01", env);

        // A website with a management address (issue 10) serves /metrics and /lifeguard/* there; one without ignores the setting.
        _siteLog = Path.GetTempFileName();
        var site = Track(TestEnvironment.Start("dotnet", $"{siteDll} --urls http://127.0.0.1:{SitePort} --Lifeguard:Endpoints:ManagementPort={ManagementPort}", _siteLog, env));
        await WaitOkAsync($"http://127.0.0.1:{SitePort}/health", site, "the website");
        var scrape = await AnswersAsync($"http://127.0.0.1:{ManagementPort}/metrics") ? $"127.0.0.1:{ManagementPort}" : $"127.0.0.1:{SitePort}";
        await using var am = await AlertmanagerProcess.StartAsync(new Uri(_service.BaseAddress, "/api/alertmanager").ToString(), _tokenFile, scrape);
        var prometheus = Track(TestEnvironment.Start(TestEnvironment.Program("prometheus"),
            $"--config.file={am.PrometheusConfig} --storage.tsdb.path={Path.Combine(am.WorkDir, "prom")} --storage.tsdb.retention.time=1h " +
            $"--web.listen-address=127.0.0.1:{PrometheusPort}", Path.Combine(am.WorkDir, "prometheus.log")));
        await WaitOkAsync($"http://127.0.0.1:{PrometheusPort}/-/ready", prometheus, "Prometheus");

        var users = new List<HttpClient>();
        for (var i = 0; i < 8; i++) users.Add(await LoginToSiteAsync());
        using var api = _service.Api();
        using var stop = new CancellationTokenSource();
        var onset = DateTimeOffset.UtcNow;
        var locker = await LockSiteTablesAsync(siteCs);
        var load = users.Select(u => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try { using var r = await u.GetAsync("/dashboard", stop.Token); }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
            }
        })).ToList();

        JsonElement incident;
        try
        {
            incident = await WaitForIncidentAsync(api, i => true, TimeSpan.FromSeconds(90), "no incident within 90 s of the fault", am);
            var opened = incident.GetProperty("opened_at").GetDateTimeOffset();
            incident.GetProperty("labels").GetProperty("alertname").GetString().ShouldBe("LifeguardPoolSaturated");
            incident.GetProperty("receiver").GetString().ShouldBe("lifeguard-page");
            TestContext.Current.SendDiagnosticMessage($"fault -> incident opened {(opened - onset).TotalSeconds:0.0} s");
            await AcknowledgeInBrowserAsync(incident.GetProperty("id").GetInt64());
        }
        finally
        {
            await locker.DisposeAsync(); // ends the fault: the locks go, the queued requests complete
            await stop.CancelAsync();
            await Task.WhenAll(load);
            foreach (var u in users) u.Dispose();
        }

        var id = incident.GetProperty("id").GetInt64();
        var resolved = await WaitForIncidentAsync(api, i => i.GetProperty("id").GetInt64() == id && i.GetProperty("status").GetString() == "resolved",
            TimeSpan.FromSeconds(90), "the incident did not resolve within 90 s of the fault's end", am);
        resolved.GetProperty("resolved_by").GetString().ShouldBe("alertmanager");
        resolved.GetProperty("acknowledged_by").GetString().ShouldBe(RunningService.ResponderEmail);
        var kinds = resolved.GetProperty("timeline").EnumerateArray().Select(e => e.GetProperty("kind").GetString()).ToList();
        kinds[0].ShouldBe("opened");
        kinds.ShouldContain("acknowledged");
        kinds[^1].ShouldBe("resolved");

        var md = await api.GetStringAsync($"/api/incidents/{id}/postmortem");
        md.ShouldContain("# TIMELINE");
        md.ShouldContain("LifeguardPoolSaturated");
        md.ShouldContain("Acknowledged by responder@lifeguard.local (ui).");
        // The cause comes from the website's live diagnosis (/lifeguard/diagnosis); where the site serves it, the postmortem names it.
        var state = resolved.GetProperty("evidence_state").GetString();
        state.ShouldNotBe("pending");
        if (state == "done") md.ShouldContain("`" + resolved.GetProperty("diagnosis").GetProperty("cause").GetString() + "`");

        var mttd = resolved.GetProperty("mttd_s").GetDouble();
        var mtta = resolved.GetProperty("mtta_s").GetDouble();
        var mttr = resolved.GetProperty("mttr_s").GetDouble();
        TestContext.Current.SendDiagnosticMessage($"MTTD {mttd:0.0} s, MTTA {mtta:0.0} s, MTTR {mttr:0.0} s, evidence {state}");
        if (Environment.GetEnvironmentVariable("LIFEGUARD_RECORD_BENCHMARKS") == "1")
        {
            await RecordAsync(onset, incident.GetProperty("opened_at").GetDateTimeOffset(), mttd, mtta, mttr, state!);
        }
    }

    private Process Track(Process p)
    {
        _processes.Add(p);
        return p;
    }

    private async Task<string> CreateSiteDatabaseAsync()
    {
        _siteDb = "incidents_e2e_site_" + Guid.NewGuid().ToString("N")[..8];
        await using (var admin = new NpgsqlConnection(TestEnvironment.ServerConnectionString))
        {
            await admin.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE {_siteDb}", admin);
            await cmd.ExecuteNonQueryAsync();
        }

        // the postmortem's misconfiguration: a pool of 2; waiters give up after 3 s
        return new NpgsqlConnectionStringBuilder(TestEnvironment.ServerConnectionString) { Database = _siteDb, MaxPoolSize = 2, Timeout = 3 }.ConnectionString;
    }

    private static async Task RunToEndAsync(string file, string args, IDictionary<string, string> env)
    {
        var log = Path.GetTempFileName();
        using var p = TestEnvironment.Start(file, args, log, env);
        await p.WaitForExitAsync();
        p.ExitCode.ShouldBe(0, $"{args}: {await File.ReadAllTextAsync(log)}");
        File.Delete(log);
    }

    private static async Task WaitOkAsync(string url, Process p, string what)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (var i = 0; i < 600; i++)
        {
            p.HasExited.ShouldBeFalse($"{what} exited");
            try
            {
                if ((await http.GetAsync(url)).IsSuccessStatusCode) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{what} did not answer {url} within 60 s");
    }

    private static async Task<bool> AnswersAsync(string url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            return (await http.GetAsync(url)).IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    private static async Task<HttpClient> LoginToSiteAsync()
    {
        var http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{SitePort}"),
            Timeout = TimeSpan.FromSeconds(20),
        };
        var html = await http.GetStringAsync("/account/login");
        var token = WebUtility.HtmlDecode(TokenRegex().Match(html).Groups[1].Value);
        using var response = await http.PostAsync("/account/login", new FormUrlEncodedContent(
        [
            new("Email", "demo@lifeguard.local"), new("Password", "Demo-Password-1"), new("__RequestVerificationToken", token),
        ]));
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect, "demo login on the website");
        return http;
    }

    // one session takes ACCESS EXCLUSIVE on every table of the site: every dashboard query waits, both pooled connections block
    private static async Task<NpgsqlConnection> LockSiteTablesAsync(string siteCs)
    {
        var c = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(siteCs) { Pooling = false }.ConnectionString);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            """
            BEGIN;
            DO $$ DECLARE t text; BEGIN
              FOR t IN SELECT format('%I.%I', schemaname, tablename) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') LOOP
                EXECUTE 'LOCK TABLE ' || t || ' IN ACCESS EXCLUSIVE MODE';
              END LOOP; END $$;
            """, c);
        await cmd.ExecuteNonQueryAsync();
        return c; // disposing it rolls back and releases every lock
    }

    private async Task AcknowledgeInBrowserAsync(long id)
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = TestEnvironment.Program("chromium"),
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        var page = await (await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = _service.BaseAddress.ToString() })).NewPageAsync();
        await page.GotoAsync("/account/login", new PageGotoOptions { WaitUntil = WaitUntilState.Commit }); // the form is waited for by FillAsync
        await page.FillAsync("#Email", RunningService.ResponderEmail);
        await page.FillAsync("#Password", RunningService.Password);
        await page.ClickAsync("#login");
        await page.ClickAsync($"#incident-{id}");
        await page.ClickAsync("#acknowledge");
        await page.WaitForSelectorAsync("#status:text('acknowledged')");
    }

    private static async Task<JsonElement> WaitForIncidentAsync(HttpClient api, Func<JsonElement, bool> done, TimeSpan within, string failure, AlertmanagerProcess am)
    {
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            foreach (var item in await Webhooks.ListAsync(api))
            {
                var incident = await Webhooks.GetIncidentAsync(api, item.GetProperty("id").GetInt64());
                if (incident.GetProperty("labels").GetProperty("alertname").GetString() == "LifeguardPoolSaturated" && done(incident)) return incident;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException(failure + "; Alertmanager log tail:\n" + string.Join('\n', am.Log.Split('\n').TakeLast(15)));
    }

    private static async Task RecordAsync(DateTimeOffset onset, DateTimeOffset opened, double mttd, double mtta, double mttr, string evidence)
    {
        var path = Path.Combine(TestEnvironment.RepoRoot, "BENCHMARKS.md");
        var text = await File.ReadAllTextAsync(path);
        const string end = "<!-- incidents-e2e:end -->";
        var row = string.Create(CultureInfo.InvariantCulture,
            $"| {onset.UtcDateTime:yyyy-MM-dd HH:mm} | {(opened - onset).TotalSeconds:0.0} | {mttd:0.0} | {mtta:0.0} | {mttr:0.0} | diagnosis {evidence} |\n");
        if (text.Contains(end, StringComparison.Ordinal)) await File.WriteAllTextAsync(path, text.Replace(end, row + end, StringComparison.Ordinal));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenRegex();
}
