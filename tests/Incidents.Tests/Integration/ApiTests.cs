using System.Data.Common;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Incidents.Data;
using Incidents.Tests.Infrastructure;
using Lifeguard;
using Lifeguard.Attribution;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static Incidents.Tests.Infrastructure.Webhooks;

namespace Incidents.Tests.Integration;

/// <summary>The incidents API: bearer token (401 without, 403 for a viewer acting), acknowledge/resolve state machine, postmortem, audit, /metrics.</summary>
public sealed class ApiTests : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private RunningService _service = null!;
    private HttpClient _api = null!;

    public async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _service = await RunningService.StartAsync(_db.ConnectionString, new Dictionary<string, string?>());
        _api = _service.Api();
    }

    public async ValueTask DisposeAsync()
    {
        _api.Dispose();
        await _service.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task List_ByGroupKey_OnlyThatGroupsIncident_TooLongKeyIs400()
    {
        var g1 = await PostAsync(_api, Body("{}:{alertname=\"A\", drill_run=\"1\"}", Alert("fp-g1", "firing", T0)));
        await PostAsync(_api, Body("{}:{alertname=\"A\", drill_run=\"2\"}", Alert("fp-g2", "firing", T0)));

        var found = await _api.GetFromJsonAsync<JsonElement>("/api/incidents?group_key=" + Uri.EscapeDataString("{}:{alertname=\"A\", drill_run=\"1\"}"));
        found.EnumerateArray().Select(i => i.GetProperty("id").GetInt64()).ShouldBe([g1.GetProperty("incident_id").GetInt64()]);
        (await _api.GetFromJsonAsync<JsonElement>("/api/incidents?group_key=nothing")).GetArrayLength().ShouldBe(0);
        (await _api.GetAsync("/api/incidents?group_key=" + new string('k', 4097))).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("GET", "/api/incidents")]
    [InlineData("GET", "/api/incidents/1")]
    [InlineData("POST", "/api/incidents/1/acknowledge")]
    [InlineData("POST", "/api/incidents/1/resolve")]
    [InlineData("GET", "/api/incidents/1/postmortem")]
    [InlineData("POST", "/api/alertmanager")]
    [InlineData("GET", "/metrics")]
    public async Task Call_WithoutOrWithWrongToken_Answers401WithBearerChallenge(string method, string path)
    {
        foreach (var token in new string?[] { null, "wrong-token-wrong-token-wrong-token" })
        {
            using var http = _service.Api(token);
            using var response = await http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "POST" ? JsonContent.Create(new { }) : null });
            response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, $"{method} {path} with token {token ?? "(none)"}");
            response.Headers.WwwAuthenticate.ToString().ShouldContain("Bearer");
        }
    }

    [Fact]
    public async Task Call_CookieOfLoggedInUserWithoutToken_Answers401()
    {
        // the API takes the bearer token only: a browser's cookie must not make it callable cross-site
        using var client = new UiClient(_service.BaseAddress);
        (await client.LoginAsync(RunningService.ResponderEmail, RunningService.Password)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        using var response = await client.Http.GetAsync("/api/incidents");
        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Act_WithViewerToken_Answers403ButReads()
    {
        var id = (await PostAsync(_api, Body("g", Alert("fp1", "firing", T0)))).GetProperty("incident_id").GetInt64();
        using var viewer = _service.Api(RunningService.ViewerToken);
        (await viewer.GetAsync($"/api/incidents/{id}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await viewer.PostAsync($"/api/incidents/{id}/acknowledge", null)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await viewer.PostAsync($"/api/incidents/{id}/resolve", null)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await viewer.PostAsync("/api/alertmanager", JsonContent.Create(Body("g2", Alert("x", "firing", T0))))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await GetIncidentAsync(_api, id)).GetProperty("status").GetString().ShouldBe("triggered");
    }

    [Fact]
    public async Task AcknowledgeThenResolve_MovesTheStateMachineAndRecordsWhoInTimelineAndAudit()
    {
        var id = (await PostAsync(_api, Body("g", Alert("fp1", "firing", T0)))).GetProperty("incident_id").GetInt64();
        var ack = await _api.PostAsync($"/api/incidents/{id}/acknowledge", JsonContent.Create(new { note = "looking at the pool" }));
        ack.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await ack.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outcome").GetString().ShouldBe("done");
        // a retried acknowledge is harmless and writes nothing
        (await (await _api.PostAsync($"/api/incidents/{id}/acknowledge", null)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outcome").GetString().ShouldBe("already_done");

        var acked = await GetIncidentAsync(_api, id);
        acked.GetProperty("status").GetString().ShouldBe("acknowledged");
        acked.GetProperty("acknowledged_by").GetString().ShouldBe("api-token");
        acked.GetProperty("mtta_s").GetDouble().ShouldBeGreaterThanOrEqualTo(0);

        (await _api.PostAsync($"/api/incidents/{id}/resolve", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var resolved = await GetIncidentAsync(_api, id);
        resolved.GetProperty("status").GetString().ShouldBe("resolved");
        resolved.GetProperty("mttr_s").ValueKind.ShouldBe(JsonValueKind.Number);
        var timeline = resolved.GetProperty("timeline").EnumerateArray().Select(e => e.GetProperty("kind").GetString()).ToList();
        timeline.ShouldBe(["opened", "acknowledged", "resolved"]);
        resolved.GetProperty("timeline")[1].GetProperty("message").GetString()!.ShouldContain("looking at the pool");

        // acknowledging a resolved incident is a conflict, not a silent success
        (await _api.PostAsync($"/api/incidents/{id}/acknowledge", null)).StatusCode.ShouldBe(HttpStatusCode.Conflict);

        var audit = (await _api.GetFromJsonAsync<JsonElement>($"/api/incidents/{id}/audit")).EnumerateArray()
            .Select(a => (a.GetProperty("action").GetString(), a.GetProperty("actor").GetString())).Reverse().ToList();
        audit.ShouldBe([("open", "alertmanager"), ("acknowledge", "api-token"), ("resolve", "api-token")]);
    }

    [Fact]
    public async Task Act_OnMissingIncidentOrWithBadNote_Answers404Or400()
    {
        (await _api.PostAsync("/api/incidents/999999/acknowledge", null)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await _api.GetAsync("/api/incidents/999999")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var id = (await PostAsync(_api, Body("g", Alert("fp1", "firing", T0)))).GetProperty("incident_id").GetInt64();
        (await _api.PostAsync($"/api/incidents/{id}/acknowledge", JsonContent.Create(new { note = new string('x', 5000) }))).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await _api.PostAsync($"/api/incidents/{id}/acknowledge", new StringContent("{", System.Text.Encoding.UTF8, "application/json"))).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await _api.PostAsync($"/api/incidents/{id}/notes", JsonContent.Create(new { note = " " }))).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await _api.GetAsync("/api/incidents?status=weird")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await GetIncidentAsync(_api, id)).GetProperty("status").GetString().ShouldBe("triggered");
    }

    [Fact]
    public async Task Postmortem_OfResolvedIncident_HasThePostmortemSectionsAndTheTimeline()
    {
        var id = (await PostAsync(_api, Body("g", Alert("fp1", "firing", T0)))).GetProperty("incident_id").GetInt64();
        await _api.PostAsync($"/api/incidents/{id}/notes", JsonContent.Create(new { note = "raised Maximum Pool Size to 8" }));
        await PostAsync(_api, Body("g", Alert("fp1", "resolved", T0, T0.AddMinutes(2))));
        using var response = await _api.GetAsync($"/api/incidents/{id}/postmortem");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/markdown");
        var md = await response.Content.ReadAsStringAsync();
        foreach (var section in new[] { "# POSTMORTEM:", "`ISSUE SUMMARY`", "**Duration**", "**Impact**", "**Root Cause**", "# TIMELINE", "# ROOT CAUSE AND RESOLUTION", "# CORRECTIVE AND PREVENTATIVE MEASURES", "# TODO LIST" })
        {
            md.ShouldContain(section);
        }

        md.ShouldContain("raised Maximum Pool Size to 8");
        md.ShouldContain("Resolved: every alert of the group has resolved.");
        md.ShouldContain("deploy/RUNBOOK.md#lifeguardpoolsaturated");
    }

    [Fact]
    public async Task Metrics_AfterAnAcknowledgedIncident_ExportsCountsAndMeasuresPerWindow()
    {
        var id = (await PostAsync(_api, Body("g", Alert("fp1", "firing", T0)))).GetProperty("incident_id").GetInt64();
        using (var ack = await _api.PostAsync($"/api/incidents/{id}/acknowledge", null)) ack.EnsureSuccessStatusCode();
        // OpenTelemetry's exporter puts the meter's name first on every series
        const string scope = "otel_scope_name=\"Lifeguard.Incidents\",";
        // Seen once on a loaded CI host: a scrape without the acknowledged count. Read again (for up to 5 s) before
        // judging, so a scrape that raced the collection does not fail the test; a count that never comes still does.
        var text = await _api.GetStringAsync("/metrics");
        for (var i = 0; i < 10 && !text.Contains($"lifeguard_incidents{{{scope}status=\"acknowledged\"}} 1", StringComparison.Ordinal); i++)
        {
            await Task.Delay(500, TestContext.Current.CancellationToken);
            text = await _api.GetStringAsync("/metrics");
        }
        text.ShouldContain($"lifeguard_incidents{{{scope}status=\"acknowledged\"}} 1");
        text.ShouldContain($"lifeguard_incidents_opened{{{scope}window=\"7d\"}} 1");
        text.ShouldContain($"lifeguard_incidents_mttd_seconds{{{scope}window=\"30d\"}}");
        text.ShouldContain($"lifeguard_incidents_mtta_seconds{{{scope}window=\"7d\"}}");
        text.ShouldContain($"lifeguard_incidents_notifications_total{{{scope.TrimEnd(',')}}} 1");
        text.ShouldContain("db_client_connection_count{otel_scope_name=\"Lifeguard\""); // the service's own pool, under the guard
        text.ShouldNotContain("lifeguard_incidents_mttr_seconds{"); // nothing resolved yet: no sample rather than a false 0
        var measures = await _api.GetFromJsonAsync<JsonElement>("/api/measures");
        measures.EnumerateArray().Select(m => m.GetProperty("days").GetInt32()).ShouldBe([7, 30]);
    }

    [Fact]
    public async Task Intake_LeasesItsConnectionsFromTheGuard_NoUnguardedPoolIsRegistered()
    {
        var services = _service.Services;
        services.GetService<NpgsqlDataSource>().ShouldBeNull(); // no side door around the guard
        var guard = services.GetRequiredService<GuardedDataSource>();
        services.GetRequiredService<DbDataSource>().ShouldBeSameAs(guard);

        var before = guard.Snapshot().Leases;
        await PostAsync(_api, Body("guarded", Alert("fp-guarded", "firing", T0)));
        guard.Snapshot().Leases.ShouldBeGreaterThan(before); // the intake's session (the workers may add more)

        // the domain's sessions and queries are the guard's leases, attributed to the caller's operation
        using (LifeguardOperation.Begin("incguard-test"))
        {
            await using (await services.GetRequiredService<IncidentsDatabase>().OpenAsync(CancellationToken.None)) { }
            (await services.GetRequiredService<IncidentQueries>().ListAsync(null, 10, CancellationToken.None, "guarded")).Count.ShouldBe(1);
        }

        guard.Snapshot().Operations.Single(o => o.Operation == "incguard-test").Leases.ShouldBe(2);
    }

    [Fact]
    public async Task Health_IsPublicAndSaysOnlyTheStatus()
    {
        using var anonymous = _service.Api(null);
        (await anonymous.GetStringAsync("/health")).ShouldBe("Healthy");
    }
}
