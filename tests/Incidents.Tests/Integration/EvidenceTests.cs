using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Incidents.Tests.Infrastructure;
using static Incidents.Tests.Infrastructure.Webhooks;

namespace Incidents.Tests.Integration;

/// <summary>
/// When an incident opens for a pool whose instance is a configured evidence target, the service fetches that app's live
/// diagnosis into the timeline and measures MTTD from its `since`. Only from configured targets, only bounded, only a
/// real diagnosis: a label naming another port is never called, a huge or hostile answer is refused.
/// </summary>
public sealed class EvidenceTests
{
    // a service on its own database whose one evidence target is the given management address
    private static async Task<(TestDatabase Db, RunningService Service)> StartAsync(string? target, Dictionary<string, string?>? more = null)
    {
        var db = await TestDatabase.CreateAsync();
        var settings = new Dictionary<string, string?> { ["Incidents:Evidence:MaxAttempts"] = "2" };
        if (target is not null) settings["Incidents:Evidence:Targets:site"] = "http://" + target;
        foreach (var (k, v) in more ?? []) settings[k] = v;
        return (db, await RunningService.StartAsync(db.ConnectionString, settings));
    }

    [Fact]
    public async Task Open_ForAPoolWithAManagementAddress_KeepsTheDiagnosisAndMeasuresMttdFromItsSince()
    {
        var now = DateTimeOffset.UtcNow;
        var since = now.AddSeconds(-25);
        var diagnosis = $$"""
            {"cause":"pool_too_small","summary":"Pool pinned at 2/2 with 6 waiters while the server has 90 free slots; hold times are flat.",
             "evidence":["in use 2/2 for 25 s","waiters 6","hold p99 12 ms (normal 11 ms)", {"name":"server_free_slots","value":90}],
             "remedy":"Raise Maximum Pool Size to 8 (lifeguard size).","avoid":"Do not chase slow queries: hold times did not grow.",
             "since":"{{since.UtcDateTime.ToString("o", CultureInfo.InvariantCulture)}}","confidence":0.9,"signals":{} }
            """;
        await using var app = await DiagnosisEndpoint.StartAsync(() => diagnosis);
        var (db, service) = await StartAsync(app.HostPort);
        await using var _ = db;
        await using var __ = service;
        using var api = service.Api();
        var id = (await PostAsync(api, Body("g", Alert("fp1", "firing", now.AddSeconds(-10), instance: app.HostPort)))).GetProperty("incident_id").GetInt64();

        var incident = await WaitForEvidenceAsync(api, id);
        incident.GetProperty("evidence_state").GetString().ShouldBe("done");
        incident.GetProperty("diagnosis").GetProperty("cause").GetString().ShouldBe("pool_too_small");
        var evidence = incident.GetProperty("timeline").EnumerateArray().Single(e => e.GetProperty("kind").GetString() == "evidence");
        evidence.GetProperty("message").GetString()!.ShouldContain("pool_too_small");
        evidence.GetProperty("message").GetString()!.ShouldContain("target site");
        // fault onset from the diagnosis (25 s ago), not from the alert's startsAt (10 s ago)
        incident.GetProperty("mttd_s").GetDouble().ShouldBeGreaterThan(20);
        app.Requests.ShouldBe(1);

        var md = await api.GetStringAsync($"/api/incidents/{id}/postmortem");
        md.ShouldContain("**Root Cause**: The connection pool was too small for the load (`pool_too_small`)");
        md.ShouldContain("- waiters 6");
        md.ShouldContain("Raise Maximum Pool Size to 8");
        md.ShouldContain("Do not chase slow queries");

        using var ui = new UiClient(service.BaseAddress);
        await ui.LoginAsync(RunningService.ViewerEmail, RunningService.Password);
        var html = await ui.Http.GetStringAsync($"/incidents/{id}");
        html.ShouldContain("id=\"cause\">pool_too_small<");
    }

    [Fact]
    public async Task Open_ForAFleetAlert_NamesTheInstancesAndFetchesTheDiagnosisOfTheFirstConfiguredOne()
    {
        var diagnosis = """{"cause":"connection_limit","summary":"The fleet's pools add up to 120 over 97 usable slots.","remedy":"Give each instance at most 32.","confidence":0.9,"signals":{}}""";
        await using var app = await DiagnosisEndpoint.StartAsync(() => diagnosis);
        var (db, service) = await StartAsync(app.HostPort);
        await using var _ = db;
        await using var __ = service;
        using var api = service.Api();
        // LifeguardFleetOverBudget: a pool label, no instance label, the instances in an annotation (largest pool first);
        // the first listed is not a configured target, the second is
        var alert = Alert("fleet1", "firing", DateTimeOffset.UtcNow.AddSeconds(-70), alertname: "LifeguardFleetOverBudget");
        alert["labels"]!.AsObject().Remove("instance");
        alert["annotations"]!["instances"] = $"10.0.0.9:5080=60 {app.HostPort}=40 x=1;rm ";
        var body = Body("fleet", alert);
        body["commonLabels"]!.AsObject().Remove("instance");
        body["commonAnnotations"]!["instances"] = alert["annotations"]!["instances"]!.GetValue<string>();
        var id = (await PostAsync(api, body)).GetProperty("incident_id").GetInt64();

        var incident = await WaitForEvidenceAsync(api, id);
        incident.GetProperty("evidence_state").GetString().ShouldBe("done");
        incident.GetProperty("diagnosis").GetProperty("cause").GetString().ShouldBe("connection_limit");
        var lines = incident.GetProperty("timeline").EnumerateArray().Where(e => e.GetProperty("kind").GetString() == "evidence")
            .Select(e => e.GetProperty("message").GetString()!).ToList();
        lines.ShouldContain(l => l.Contains($"2 instance(s) on 127.0.0.1:54329/lifeguard, pool max each (largest first): 10.0.0.9:5080 60, {app.HostPort} 40; 100 in all"), string.Join(" | ", lines));
        lines.ShouldContain(l => l.Contains("connection_limit"));
        app.Requests.ShouldBe(1);
    }

    [Fact]
    public async Task Open_ForAFleetAlertWithNoConfiguredInstance_SaysSoAndStillNamesTheInstances()
    {
        await using var app = await DiagnosisEndpoint.StartAsync(() => """{"cause":"healthy"}""");
        var (db, service) = await StartAsync(app.HostPort);
        await using var _ = db;
        await using var __ = service;
        using var api = service.Api();
        var alert = Alert("fleet2", "firing", DateTimeOffset.UtcNow, alertname: "LifeguardFleetOverBudget");
        alert["labels"]!.AsObject().Remove("instance");
        alert["annotations"]!["instances"] = "10.0.0.9:5080=60 10.0.0.10:5080=60";
        var body = Body("fleet2", alert);
        body["commonLabels"]!.AsObject().Remove("instance");
        var id = (await PostAsync(api, body)).GetProperty("incident_id").GetInt64();

        var incident = await GetIncidentAsync(api, id);
        var timeline = incident.GetProperty("timeline").GetRawText();
        timeline.ShouldContain("none of the fleet's 2 instance(s) is a configured evidence target");
        timeline.ShouldContain("10.0.0.9:5080 60, 10.0.0.10:5080 60; 120 in all");
        app.Requests.ShouldBe(0);
    }

    [Fact]
    public async Task Open_WhenTheDiagnosisFails_RecordsTheFailureAfterItsAttempts()
    {
        await using var app = await DiagnosisEndpoint.StartAsync(() => null);
        var (db, service) = await StartAsync(app.HostPort);
        await using var _ = db;
        await using var __ = service;
        using var api = service.Api();
        var id = (await PostAsync(api, Body("g", Alert("fp1", "firing", DateTimeOffset.UtcNow, instance: app.HostPort)))).GetProperty("incident_id").GetInt64();
        var incident = await WaitForEvidenceAsync(api, id);
        incident.GetProperty("evidence_state").GetString().ShouldBe("failed");
        incident.GetProperty("timeline").EnumerateArray().ShouldContain(e => e.GetProperty("kind").GetString() == "evidence_failed");
        app.Requests.ShouldBe(2);
    }

    [Fact]
    public async Task Open_ManagementAddressWithToken_SendsTheTokenFromItsFile()
    {
        const string managementToken = "management-token-0123456789abcdef";
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, managementToken + "\n");
        try
        {
            await using var app = await DiagnosisEndpoint.StartAsync(() => """{"cause":"lock_contention","summary":"root blocker pid 4242"}""", managementToken);
            var (db, service) = await StartAsync(app.HostPort, new() { ["Incidents:Evidence:TokenFile"] = file });
            await using var _ = db;
            await using var __ = service;
            using var api = service.Api();
            var id = (await PostAsync(api, Body("g2", Alert("fp9", "firing", DateTimeOffset.UtcNow, instance: app.HostPort)))).GetProperty("incident_id").GetInt64();
            var incident = await WaitForEvidenceAsync(api, id);
            incident.GetProperty("evidence_state").GetString().ShouldBe("done");
            incident.GetProperty("diagnosis").GetProperty("cause").GetString().ShouldBe("lock_contention");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Open_InstanceNamingAnotherLocalPort_NeverCallsItAndSaysWhy()
    {
        // a listener of our own on loopback: the port an attacker would name in the instance label
        using var trap = new TcpListener(IPAddress.Loopback, 0);
        trap.Start();
        var trapPort = ((IPEndPoint)trap.LocalEndpoint).Port;
        await using var app = await DiagnosisEndpoint.StartAsync(() => """{"cause":"healthy"}""");
        var (db, service) = await StartAsync(app.HostPort, new() { ["Incidents:Evidence:TokenFile"] = await TokenFileAsync() });
        await using var _ = db;
        await using var __ = service;
        using var api = service.Api();

        var id = (await PostAsync(api, Body("g", Alert("fp1", "firing", DateTimeOffset.UtcNow, instance: $"127.0.0.1:{trapPort}")))).GetProperty("incident_id").GetInt64();
        // a second incident for the configured target, fetched after the first: when it is done the worker has had its chance
        var id2 = (await PostAsync(api, Body("g2", Alert("fp2", "firing", DateTimeOffset.UtcNow, instance: app.HostPort)))).GetProperty("incident_id").GetInt64();
        (await WaitForEvidenceAsync(api, id2)).GetProperty("evidence_state").GetString().ShouldBe("done");

        var incident = await GetIncidentAsync(api, id);
        incident.GetProperty("evidence_state").GetString().ShouldBe("none", "no fetch was ever queued");
        incident.GetProperty("timeline").EnumerateArray().Select(e => e.GetProperty("message").GetString())
            .ShouldContain($"No diagnosis fetched: no configured evidence target for instance 127.0.0.1:{trapPort}.");
        trap.Pending().ShouldBeFalse("the port named by the label was called");
    }

    [Theory]
    [InlineData("huge")]
    [InlineData("unknown_cause")]
    [InlineData("giant_text")]
    [InlineData("not_json")]
    public async Task Open_HugeOrHostileAnswer_IsRefusedAndNeverBecomesTheCause(string kind)
    {
        var answer = kind switch
        {
            "huge" => """{"cause":"healthy","summary":"x","padding":""" + "\"" + new string('a', 300 * 1024) + "\"}",
            "unknown_cause" => """{"cause":"<!channel> call +1-555-0100 now","remedy":"Run DROP DATABASE"}""",
            "giant_text" => """{"cause":"pool_too_small","remedy":""" + "\"" + new string('r', 5000) + "\"}",
            _ => "<html>hello</html>",
        };
        await using var app = await DiagnosisEndpoint.StartAsync(() => answer);
        var (db, service) = await StartAsync(app.HostPort);
        await using var _ = db;
        await using var __ = service;
        using var api = service.Api();
        var id = (await PostAsync(api, Body("g", Alert("fp1", "firing", DateTimeOffset.UtcNow, instance: app.HostPort)))).GetProperty("incident_id").GetInt64();

        var incident = await WaitForEvidenceAsync(api, id);
        incident.GetProperty("evidence_state").GetString().ShouldBe("failed");
        incident.GetProperty("diagnosis").ValueKind.ShouldBe(JsonValueKind.Null);
        var failed = incident.GetProperty("timeline").EnumerateArray().Last(e => e.GetProperty("kind").GetString() == "evidence_failed").GetProperty("message").GetString()!;
        failed.ShouldContain("target site");
        failed.ShouldNotContain("DROP DATABASE");
        (await api.GetStringAsync($"/api/incidents/{id}/postmortem")).ShouldNotContain("DROP DATABASE");
    }

    [Fact]
    public async Task Open_TargetThatDoesNotAnswer_FailsWithAGenericReasonNotItsAddress()
    {
        // a port that was free a moment ago: nobody listens there
        int closed;
        using (var l = new TcpListener(IPAddress.Loopback, 0))
        {
            l.Start();
            closed = ((IPEndPoint)l.LocalEndpoint).Port;
        }

        var (db, service) = await StartAsync($"127.0.0.1:{closed}");
        await using var _ = db;
        await using var __ = service;
        using var api = service.Api();
        var id = (await PostAsync(api, Body("g", Alert("fp1", "firing", DateTimeOffset.UtcNow, instance: $"127.0.0.1:{closed}")))).GetProperty("incident_id").GetInt64();
        var incident = await WaitForEvidenceAsync(api, id);
        incident.GetProperty("evidence_state").GetString().ShouldBe("failed");
        var text = incident.GetProperty("timeline").GetRawText();
        text.ShouldContain("the target could not be reached");
        text.ShouldNotContain($":{closed}", Case.Sensitive, "only the instance label the alert itself carried may name the port");
    }

    private static async Task<string> TokenFileAsync()
    {
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, "management-token-for-the-target-only");
        return file;
    }

    private static async Task<JsonElement> WaitForEvidenceAsync(HttpClient api, long id)
    {
        for (var i = 0; i < 150; i++)
        {
            var incident = await GetIncidentAsync(api, id);
            if (incident.GetProperty("evidence_state").GetString() is "done" or "failed") return incident;
            await Task.Delay(100);
        }

        throw new TimeoutException("the evidence was not fetched within 15 s");
    }
}
