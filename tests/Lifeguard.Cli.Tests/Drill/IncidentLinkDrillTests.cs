using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Lifeguard.Cli.Drill;
using Lifeguard.Cli.Drill.Faults;
using Npgsql;

namespace Lifeguard.Cli.Tests.Drill;

/// <summary>
/// The drill reports its fault to the real incident service (apps/Incidents as its own process) the way Alertmanager
/// would, and its report links the incident's postmortem, which a logged-in responder opens and finds the fault and the
/// cause in. Run with the other drills (Category=Drill): it injects a real lock.
/// </summary>
[Trait("Category", "Drill")]
[Collection(DrillCollection.Name)]
public sealed class IncidentLinkDrillTests
{
    [Fact]
    public async Task QuickLockDrill_IncidentServiceRunning_ReportLinksThePostmortemNamingFaultAndCause()
    {
        var ct = TestContext.Current.CancellationToken;
        var cs = TestPostgres.ConnectionString;
        await using var service = await IncidentServiceProcess.StartAsync(cs, ct);
        var lines = new List<string>();
        void Say(string l) { lock (lines) lines.Add(l); }
        string Log() { lock (lines) return string.Join(Environment.NewLine, lines) + Environment.NewLine + "--- incident service ---" + Environment.NewLine + service.Log; }

        var (link, absent) = await IncidentLink.ConnectAsync(service.Url, IncidentServiceProcess.Token, Say, ct);
        absent.ShouldBeNull(Log());
        using var linkScope = link;
        var output = Path.Combine(Path.GetTempPath(), "lifeguard-drill-incident-" + Guid.NewGuid().ToString("N"));
        var options = new DrillOptions
        {
            Quick = true,
            Fault = DrillFaults.Lock,
            PgPort = new NpgsqlConnectionStringBuilder(cs).Port,
            PgDataDir = TestPostgres.DataDirectory,
            OutputDirectory = output,
        };

        var report = await DrillServerWatch.RunAsync(cs, () => new DrillRunner(options, Say) { Incident = link }.RunAsync(ct));
        report = report with { Incident = await link!.CompleteAsync(report.Recovered, ct) };
        await DrillCommand.WriteReportAsync(report, output, null, ct);

        report.RootCause.ShouldNotBeNull(Log());
        report.RootCause.Kind.ShouldBe("lock_contention", Log());
        // the lock drill's own checks (named, mitigated without growing the pool, recovered): it runs only here
        await FaultDrillTests.AssertDiagnosedMitigatedRecoveredAsync(DrillFaults.Lock, output, Log());
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "drill.json"), ct));
        var incident = doc.RootElement.GetProperty("incident");
        incident.GetProperty("id").ValueKind.ShouldBe(JsonValueKind.Number, incident.GetRawText() + Environment.NewLine + Log());
        var id = incident.GetProperty("id").GetInt64();
        var postmortemUrl = incident.GetProperty("postmortem_url").GetString()!;
        postmortemUrl.ShouldBe(new Uri(service.Url, $"/incidents/{id}/postmortem").ToString());
        incident.GetProperty("status").GetString().ShouldBe("resolved", Log());
        (await File.ReadAllTextAsync(Path.Combine(output, "drill.md"), ct)).ShouldContain($"[postmortem draft]({postmortemUrl})");

        // the incident as the API shows it: the drill's labels, opened and resolved by the drill's alert
        using var api = new HttpClient { BaseAddress = service.Url };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", IncidentServiceProcess.Token);
        using var view = JsonDocument.Parse(await api.GetStringAsync($"/api/incidents/{id}", ct));
        var labels = view.RootElement.GetProperty("labels");
        labels.GetProperty("alertname").GetString().ShouldBe(IncidentLink.AlertName);
        labels.GetProperty("fault").GetString().ShouldBe("lock");
        labels.GetProperty("cause").GetString().ShouldBe("lock_contention");
        labels.GetProperty("severity").GetString().ShouldBe("page");
        labels.GetProperty("pool").GetString().ShouldNotBeNullOrEmpty();
        view.RootElement.GetProperty("status").GetString().ShouldBe("resolved");
        view.RootElement.GetProperty("mttd_s").GetDouble().ShouldBeGreaterThan(0);

        // the link in the report, opened by a responder who logged in: 200, the fault and the cause on the page
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        (await anonymous.GetAsync(postmortemUrl, ct)).StatusCode.ShouldBe(HttpStatusCode.Redirect, "the postmortem page asks for a login");
        using var responder = await service.LoginAsync(ct);
        using var page = await responder.GetAsync(postmortemUrl, ct);
        page.StatusCode.ShouldBe(HttpStatusCode.OK);
        var html = WebUtility.HtmlDecode(await page.Content.ReadAsStringAsync(ct));
        html.ShouldContain("DRILL --FAULT LOCK: THE LIVE DIAGNOSIS NAMED LOCK_CONTENTION", Case.Sensitive, "the title");
        // the cause as the drill named it (title and labels): the incident service fetches live evidence only from
        // configured targets (Incidents:Evidence:Targets, issue 20), and the drill's throwaway site is none of them
        html.ShouldContain("lock_contention", Case.Insensitive);
        html.ShouldContain("ROOT CAUSE AND RESOLUTION");
    }
}
