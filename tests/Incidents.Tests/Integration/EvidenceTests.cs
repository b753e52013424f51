using System.Globalization;
using System.Text.Json;
using Incidents.Tests.Infrastructure;
using static Incidents.Tests.Infrastructure.Webhooks;

namespace Incidents.Tests.Integration;

/// <summary>When an incident opens for a pool, the service fetches the app's live diagnosis into the timeline and measures MTTD from its `since`.</summary>
public sealed class EvidenceTests : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private RunningService _service = null!;
    private HttpClient _api = null!;

    public async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _service = await RunningService.StartAsync(_db.ConnectionString, new Dictionary<string, string?> { ["Incidents:Evidence:MaxAttempts"] = "2" });
        _api = _service.Api();
    }

    public async ValueTask DisposeAsync()
    {
        _api.Dispose();
        await _service.DisposeAsync();
        await _db.DisposeAsync();
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
        var id = (await PostAsync(_api, Body("g", Alert("fp1", "firing", now.AddSeconds(-10), instance: app.HostPort)))).GetProperty("incident_id").GetInt64();

        var incident = await WaitForEvidenceAsync(id);
        incident.GetProperty("evidence_state").GetString().ShouldBe("done");
        incident.GetProperty("diagnosis").GetProperty("cause").GetString().ShouldBe("pool_too_small");
        var evidence = incident.GetProperty("timeline").EnumerateArray().Single(e => e.GetProperty("kind").GetString() == "evidence");
        evidence.GetProperty("message").GetString()!.ShouldContain("pool_too_small");
        // fault onset from the diagnosis (25 s ago), not from the alert's startsAt (10 s ago)
        incident.GetProperty("mttd_s").GetDouble().ShouldBeGreaterThan(20);
        app.Requests.ShouldBe(1);

        var md = await _api.GetStringAsync($"/api/incidents/{id}/postmortem");
        md.ShouldContain("**Root Cause**: The connection pool was too small for the load (`pool_too_small`)");
        md.ShouldContain("- waiters 6");
        md.ShouldContain("Raise Maximum Pool Size to 8");
        md.ShouldContain("Do not chase slow queries");

        using var ui = new UiClient(_service.BaseAddress);
        await ui.LoginAsync(RunningService.ViewerEmail, RunningService.Password);
        var html = await ui.Http.GetStringAsync($"/incidents/{id}");
        html.ShouldContain("id=\"cause\">pool_too_small<");
    }

    [Fact]
    public async Task Open_WhenTheDiagnosisFails_RecordsTheFailureAfterItsAttempts()
    {
        await using var app = await DiagnosisEndpoint.StartAsync(() => null);
        var id = (await PostAsync(_api, Body("g", Alert("fp1", "firing", DateTimeOffset.UtcNow, instance: app.HostPort)))).GetProperty("incident_id").GetInt64();
        var incident = await WaitForEvidenceAsync(id);
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
            // a database of its own: the fixture's service (without the token) must not take the job
            await using var db = await TestDatabase.CreateAsync();
            await using var service = await RunningService.StartAsync(db.ConnectionString, new Dictionary<string, string?> { ["Incidents:Evidence:TokenFile"] = file });
            using var api = service.Api();
            var id = (await PostAsync(api, Body("g2", Alert("fp9", "firing", DateTimeOffset.UtcNow, instance: app.HostPort)))).GetProperty("incident_id").GetInt64();
            var incident = await WaitForEvidenceAsync(id, api);
            incident.GetProperty("evidence_state").GetString().ShouldBe("done");
            incident.GetProperty("diagnosis").GetProperty("cause").GetString().ShouldBe("lock_contention");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Open_WithAnInstanceOutsideTheAllowedHosts_FetchesNothing()
    {
        var id = (await PostAsync(_api, Body("g", Alert("fp1", "firing", DateTimeOffset.UtcNow, instance: "169.254.169.254:80")))).GetProperty("incident_id").GetInt64();
        (await GetIncidentAsync(_api, id)).GetProperty("evidence_state").GetString().ShouldBe("none");
    }

    private async Task<JsonElement> WaitForEvidenceAsync(long id, HttpClient? api = null)
    {
        for (var i = 0; i < 100; i++)
        {
            var incident = await GetIncidentAsync(api ?? _api, id);
            if (incident.GetProperty("evidence_state").GetString() is "done" or "failed") return incident;
            await Task.Delay(100);
        }

        throw new TimeoutException("the evidence was not fetched within 10 s");
    }
}
