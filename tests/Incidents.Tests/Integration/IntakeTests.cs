using System.Text.Json;
using Incidents.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using static Incidents.Tests.Infrastructure.Webhooks;

namespace Incidents.Tests.Integration;

/// <summary>POST /api/alertmanager against the real service and PostgreSQL: grouping, idempotency, resolve, reopen, truncation.</summary>
public sealed class IntakeTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(T0.AddSeconds(20));
    private TestDatabase _db = null!;
    private RunningService _service = null!;
    private HttpClient _api = null!;

    public async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _service = await RunningService.StartAsync(_db.ConnectionString, new Dictionary<string, string?>
        {
            ["Incidents:ReopenWindow"] = "00:30:00",
        }, _time);
        _api = _service.Api();
    }

    public async ValueTask DisposeAsync()
    {
        _api.Dispose();
        await _service.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task Receive_SameGroupResentAndRetried_OpensOneIncidentWithOneOpenedEvent()
    {
        var body = Body("{}:{alertname=\"LifeguardPoolSaturated\", pool=\"p\"}", Alert("fp1", "firing", T0));
        var first = await PostAsync(_api, body);
        first.GetProperty("outcome").GetString().ShouldBe("opened");
        for (var i = 0; i < 5; i++)
        {
            _time.Advance(TimeSpan.FromMinutes(1)); // group_interval / repeat_interval re-sends and delivery retries
            (await PostAsync(_api, body)).GetProperty("outcome").GetString().ShouldBe("unchanged");
        }

        var list = await ListAsync(_api);
        list.Length.ShouldBe(1);
        var incident = await GetIncidentAsync(_api, list[0].GetProperty("id").GetInt64());
        incident.GetProperty("status").GetString().ShouldBe("triggered");
        incident.GetProperty("timeline").EnumerateArray().Count().ShouldBe(1);
        incident.GetProperty("title").GetString()!.ShouldContain("saturated");
        incident.GetProperty("labels").GetProperty("pool").GetString().ShouldBe("127.0.0.1:54329/lifeguard");
        incident.GetProperty("mttd_s").GetDouble().ShouldBe(20, 0.01); // startsAt T0, received at T0+20 s
    }

    [Fact]
    public async Task Receive_TwoGroups_OpenTwoIncidents()
    {
        await PostAsync(_api, Body("group-a", Alert("fa", "firing", T0)));
        await PostAsync(_api, Body("group-b", Alert("fb", "firing", T0, alertname: "LifeguardPoolTimeouts")));
        (await ListAsync(_api)).Length.ShouldBe(2);
    }

    [Fact]
    public async Task Receive_AlertJoinsThenOneResolves_StaysOpenUntilEveryAlertResolved()
    {
        var id = (await PostAsync(_api, Body("g", Alert("fp1", "firing", T0)))).GetProperty("incident_id").GetInt64();
        _time.Advance(TimeSpan.FromMinutes(1));
        (await PostAsync(_api, Body("g", Alert("fp1", "firing", T0), Alert("fp2", "firing", T0.AddSeconds(50), instance: "127.0.0.1:5082"))))
            .GetProperty("outcome").GetString().ShouldBe("updated");
        _time.Advance(TimeSpan.FromMinutes(1));
        (await PostAsync(_api, Body("g", Alert("fp1", "resolved", T0, T0.AddSeconds(100)), Alert("fp2", "firing", T0.AddSeconds(50), instance: "127.0.0.1:5082"))))
            .GetProperty("outcome").GetString().ShouldBe("updated");
        (await GetIncidentAsync(_api, id)).GetProperty("status").GetString().ShouldBe("triggered");

        _time.Advance(TimeSpan.FromMinutes(1));
        var resolvedBody = Body("g", Alert("fp1", "resolved", T0, T0.AddSeconds(100)), Alert("fp2", "resolved", T0.AddSeconds(50), T0.AddSeconds(170), instance: "127.0.0.1:5082"));
        (await PostAsync(_api, resolvedBody)).GetProperty("outcome").GetString().ShouldBe("resolved");
        (await PostAsync(_api, resolvedBody)).GetProperty("outcome").GetString().ShouldBe("unchanged"); // retried resolve

        var incident = await GetIncidentAsync(_api, id);
        incident.GetProperty("status").GetString().ShouldBe("resolved");
        incident.GetProperty("resolved_by").GetString().ShouldBe("alertmanager");
        incident.GetProperty("mttr_s").GetDouble().ShouldBe(200, 0.01); // T0 -> T0+20 s + 3 min
        var kinds = incident.GetProperty("timeline").EnumerateArray().Select(e => e.GetProperty("kind").GetString()).ToList();
        kinds.ShouldBe(["opened", "alert_firing", "alert_resolved", "alert_resolved", "resolved"]);
        incident.GetProperty("alerts").EnumerateArray().Count().ShouldBe(2);
    }

    [Fact]
    public async Task Receive_LateFiringRetryAfterResolve_DoesNotReopen()
    {
        var firing = Body("g", Alert("fp1", "firing", T0));
        var id = (await PostAsync(_api, firing)).GetProperty("incident_id").GetInt64();
        _time.Advance(TimeSpan.FromMinutes(1));
        await PostAsync(_api, Body("g", Alert("fp1", "resolved", T0, T0.AddSeconds(70))));
        _time.Advance(TimeSpan.FromSeconds(5));
        // a failed delivery of the firing body, retried after the resolve: same startsAt, nothing new
        (await PostAsync(_api, firing)).GetProperty("outcome").GetString().ShouldBe("unchanged");
        var incident = await GetIncidentAsync(_api, id);
        incident.GetProperty("status").GetString().ShouldBe("resolved");
        incident.GetProperty("reopen_count").GetInt32().ShouldBe(0);
    }

    [Fact]
    public async Task Receive_GroupFiresAgainWithinWindow_ReopensWithCount()
    {
        var id = (await PostAsync(_api, Body("g", Alert("fp1", "firing", T0)))).GetProperty("incident_id").GetInt64();
        _time.Advance(TimeSpan.FromMinutes(1));
        await PostAsync(_api, Body("g", Alert("fp1", "resolved", T0, T0.AddSeconds(70))));
        _time.Advance(TimeSpan.FromMinutes(10));
        var again = await PostAsync(_api, Body("g", Alert("fp1", "firing", T0.AddMinutes(11))));
        again.GetProperty("outcome").GetString().ShouldBe("reopened");
        again.GetProperty("incident_id").GetInt64().ShouldBe(id);

        var incident = await GetIncidentAsync(_api, id);
        incident.GetProperty("status").GetString().ShouldBe("triggered");
        incident.GetProperty("reopen_count").GetInt32().ShouldBe(1);
        incident.GetProperty("resolved_at").ValueKind.ShouldBe(JsonValueKind.Null);
        (await ListAsync(_api)).Length.ShouldBe(1);
    }

    [Fact]
    public async Task Receive_GroupFiresAgainAfterWindow_OpensNewIncident()
    {
        var id = (await PostAsync(_api, Body("g", Alert("fp1", "firing", T0)))).GetProperty("incident_id").GetInt64();
        _time.Advance(TimeSpan.FromMinutes(1));
        await PostAsync(_api, Body("g", Alert("fp1", "resolved", T0, T0.AddSeconds(70))));
        _time.Advance(TimeSpan.FromMinutes(31));
        var again = await PostAsync(_api, Body("g", Alert("fp1", "firing", T0.AddMinutes(32))));
        again.GetProperty("outcome").GetString().ShouldBe("opened");
        again.GetProperty("incident_id").GetInt64().ShouldNotBe(id);
        (await GetIncidentAsync(_api, id)).GetProperty("reopen_count").GetInt32().ShouldBe(0);
    }

    [Fact]
    public async Task Receive_ResolvedOnlyForUnknownGroup_IsIgnored()
    {
        (await PostAsync(_api, Body("never-fired", Alert("fp1", "resolved", T0, T0.AddSeconds(5))))).GetProperty("outcome").GetString().ShouldBe("ignored");
        (await ListAsync(_api)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Receive_TruncatedAlerts_RecordedAndStaysOpenUntilTheGroupResolves()
    {
        var id = (await PostAsync(_api, Body("g", 3, Alert("fp1", "firing", T0)))).GetProperty("incident_id").GetInt64();
        var incident = await GetIncidentAsync(_api, id);
        incident.GetProperty("truncated_alerts").GetInt32().ShouldBe(3);
        incident.GetProperty("timeline").EnumerateArray().ShouldContain(e => e.GetProperty("kind").GetString() == "truncated");

        // the one listed alert resolved, but Alertmanager left 3 out and says the group still fires
        _time.Advance(TimeSpan.FromMinutes(1));
        var partial = Body("g", 3, Alert("fp1", "resolved", T0, T0.AddSeconds(60)));
        partial["status"] = "firing";
        await PostAsync(_api, partial);
        (await GetIncidentAsync(_api, id)).GetProperty("status").GetString().ShouldBe("triggered");

        _time.Advance(TimeSpan.FromMinutes(1));
        (await PostAsync(_api, Body("g", 3, Alert("fp1", "resolved", T0, T0.AddSeconds(60))))).GetProperty("outcome").GetString().ShouldBe("resolved");
    }

    [Theory]
    [InlineData("{\"version\":\"3\",\"groupKey\":\"g\",\"status\":\"firing\",\"alerts\":[]}", "version")]
    [InlineData("{\"version\":\"4\",\"status\":\"firing\",\"alerts\":[{\"fingerprint\":\"a\",\"status\":\"firing\",\"startsAt\":\"2026-12-01T08:00:00Z\"}]}", "groupKey")]
    [InlineData("{\"version\":\"4\",\"groupKey\":\"g\",\"status\":\"firing\",\"alerts\":[]}", "alerts")]
    [InlineData("not json", "JSON")]
    [InlineData("{\"version\":\"4\",\"groupKey\":\"g\",\"status\":\"firing\",\"alerts\":[{\"fingerprint\":\"a\",\"status\":\"burning\",\"startsAt\":\"2026-12-01T08:00:00Z\"}]}", "status")]
    public async Task Receive_UnusableBody_Answers400NamingTheProblem(string body, string named)
    {
        using var response = await _api.PostAsync("/api/alertmanager", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        ((int)response.StatusCode).ShouldBe(400);
        (await response.Content.ReadAsStringAsync()).ShouldContain(named);
        (await ListAsync(_api)).ShouldBeEmpty();
    }
}
