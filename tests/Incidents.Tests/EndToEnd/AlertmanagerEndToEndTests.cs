using System.Globalization;
using System.Text.Json;
using Incidents.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Incidents.Tests.EndToEnd;

/// <summary>
/// The real Alertmanager with deploy/'s routes posts to the service through its webhook with the bearer token from a file;
/// the incident opens with the diagnosis, a responder acknowledges it in Chromium (Playwright), the alert resolves, the
/// incident resolves, and the postmortem names the cause.
/// </summary>
[Collection(AlertmanagerCollection.Name)]
public sealed class AlertmanagerEndToEndTests : IAsyncLifetime
{
    private const string ChromiumPath = "/usr/bin/chromium";
    private TestDatabase _db = null!;
    private RunningService _service = null!;
    private string _tokenFile = null!;
    private DiagnosisEndpoint _app = null!;
    private DateTimeOffset _since;

    public async ValueTask InitializeAsync()
    {
        TestEnvironment.Program("prometheus-alertmanager");
        _db = await TestDatabase.CreateAsync();
        // the guarded app's management address first: the service is told where evidence comes from when it starts
        _since = DateTimeOffset.UtcNow.AddSeconds(-30);
        _app = await DiagnosisEndpoint.StartAsync(() => $$"""
            {"cause":"pool_too_small","summary":"Pool pinned at 2/2 with waiters while the server has headroom.","evidence":["in use 2/2","waiters 6"],
             "remedy":"Raise Maximum Pool Size to 8.","avoid":"Do not chase slow queries.","since":"{{_since.UtcDateTime.ToString("o", CultureInfo.InvariantCulture)}}","confidence":0.9}
            """);
        _tokenFile = Path.Combine(Path.GetTempPath(), "incidents-token-" + Guid.NewGuid().ToString("N")[..8]);
        await File.WriteAllTextAsync(_tokenFile, RunningService.Token);
        _service = await RunningService.StartAsync(_db.ConnectionString, new Dictionary<string, string?>
        {
            ["Incidents:Token"] = null,
            ["Incidents:TokenFile"] = _tokenFile, // the same file Alertmanager reads, as under run.sh
            ["Incidents:Evidence:Targets:site"] = "http://" + _app.HostPort,
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _service.DisposeAsync();
        await _db.DisposeAsync();
        await _app.DisposeAsync();
        File.Delete(_tokenFile);
    }

    [Fact]
    public async Task Alertmanager_FiresAndResolves_IncidentOpensWithEvidenceIsAcknowledgedInBrowserAndResolves()
    {
        var app = _app;
        await using var am = await AlertmanagerProcess.StartAsync(new Uri(_service.BaseAddress, "/api/alertmanager").ToString(), _tokenFile);
        using var api = _service.Api();
        var labels = new Dictionary<string, string>
        {
            ["alertname"] = "LifeguardPoolSaturated", ["severity"] = "page", ["pool"] = "127.0.0.1:54329/lifeguard", ["instance"] = app.HostPort, ["job"] = "lifeguard-website",
        };
        var annotations = new Dictionary<string, string> { ["summary"] = "Pool 127.0.0.1:54329/lifeguard is saturated", ["runbook_url"] = "deploy/RUNBOOK.md#lifeguardpoolsaturated" };
        var startsAt = DateTimeOffset.UtcNow.AddSeconds(-5);
        await am.PostAlertAsync(labels, annotations, startsAt);

        // group_wait of the page route is 2 s
        var incident = await WaitAsync(api, i => i.GetProperty("evidence_state").GetString() == "done", "the incident with its diagnosis", am);
        var id = incident.GetProperty("id").GetInt64();
        incident.GetProperty("status").GetString().ShouldBe("triggered");
        incident.GetProperty("receiver").GetString().ShouldBe("lifeguard-page");
        incident.GetProperty("labels").GetProperty("alertname").GetString().ShouldBe("LifeguardPoolSaturated");
        incident.GetProperty("diagnosis").GetProperty("cause").GetString().ShouldBe("pool_too_small");
        incident.GetProperty("mttd_s").GetDouble().ShouldBeGreaterThan(25); // from the diagnosis's since

        await AcknowledgeInBrowserAsync(id);
        var acked = await Webhooks.GetIncidentAsync(api, id);
        acked.GetProperty("status").GetString().ShouldBe("acknowledged");
        acked.GetProperty("acknowledged_by").GetString().ShouldBe(RunningService.ResponderEmail);

        await am.PostAlertAsync(labels, annotations, startsAt, DateTimeOffset.UtcNow.AddSeconds(-1));
        var resolved = await WaitAsync(api, i => i.GetProperty("status").GetString() == "resolved", "the incident resolved by Alertmanager", am);
        resolved.GetProperty("resolved_by").GetString().ShouldBe("alertmanager");
        resolved.GetProperty("mtta_s").ValueKind.ShouldBe(JsonValueKind.Number);
        resolved.GetProperty("mttr_s").ValueKind.ShouldBe(JsonValueKind.Number);
        (await Webhooks.ListAsync(api)).Length.ShouldBe(1); // Alertmanager's firing and resolved notifications: one incident

        var md = await api.GetStringAsync($"/api/incidents/{id}/postmortem");
        md.ShouldContain("`pool_too_small`");
        md.ShouldContain("Raise Maximum Pool Size to 8.");
        TestContext.Current.SendDiagnosticMessage(
            $"end to end: MTTD {resolved.GetProperty("mttd_s")} s, MTTA {resolved.GetProperty("mtta_s")} s, MTTR {resolved.GetProperty("mttr_s")} s");
    }

    [Fact]
    public async Task Alertmanager_WithWrongToken_IsRefusedAndOpensNothing()
    {
        var wrong = _tokenFile + ".wrong";
        await File.WriteAllTextAsync(wrong, "not-the-token-not-the-token-not-the-token");
        try
        {
            await using var am = await AlertmanagerProcess.StartAsync(new Uri(_service.BaseAddress, "/api/alertmanager").ToString(), wrong);
            await am.PostAlertAsync(new Dictionary<string, string> { ["alertname"] = "LifeguardPoolSaturated", ["severity"] = "page", ["pool"] = "p" },
                new Dictionary<string, string> { ["summary"] = "s" }, DateTimeOffset.UtcNow);
            // Alertmanager logs the failed delivery (401) at its first attempt after group_wait
            for (var i = 0; i < 100 && !am.Log.Contains("status code 401", StringComparison.Ordinal); i++) await Task.Delay(100);
            am.Log.ShouldContain("status code 401"); // the service refused it
            using var api = _service.Api();
            (await Webhooks.ListAsync(api)).ShouldBeEmpty();
        }
        finally
        {
            File.Delete(wrong);
        }
    }

    private async Task AcknowledgeInBrowserAsync(long id)
    {
        if (!File.Exists(ChromiumPath)) TestEnvironment.Program("chromium");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = _service.BaseAddress.ToString() });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/", new PageGotoOptions { WaitUntil = WaitUntilState.Commit }); // redirects are the server's: the URL is final
        page.Url.ShouldContain("/account/login");
        await page.FillAsync("#Email", RunningService.ResponderEmail);
        await page.FillAsync("#Password", RunningService.Password);
        await page.ClickAsync("#login");
        await page.ClickAsync($"#incident-{id}");
        (await page.TextContentAsync("#cause"))!.Trim().ShouldBe("pool_too_small"); // the cause on the first screen
        await page.ClickAsync("#acknowledge");
        await page.WaitForSelectorAsync("#status:text('acknowledged')");
        (await page.TextContentAsync("#timeline"))!.ShouldContain("Acknowledged by responder@lifeguard.local (ui).");
    }

    private static async Task<JsonElement> WaitAsync(HttpClient api, Func<JsonElement, bool> done, string what, AlertmanagerProcess am)
    {
        for (var i = 0; i < 200; i++)
        {
            var list = await Webhooks.ListAsync(api);
            if (list.Length > 0)
            {
                var incident = await Webhooks.GetIncidentAsync(api, list[0].GetProperty("id").GetInt64());
                if (done(incident)) return incident;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"no {what} within 20 s; Alertmanager log:\n{am.Log}");
    }
}
