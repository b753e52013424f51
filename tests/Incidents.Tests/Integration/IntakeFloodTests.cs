using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Incidents.Tests.Infrastructure;
using static Incidents.Tests.Infrastructure.Webhooks;

namespace Incidents.Tests.Integration;

/// <summary>
/// A token holder floods intake: too big (413), too many alerts (413), too fast (429 with Retry-After). Nothing else is
/// lost: the other caller's API answers, and an ordinary alert still opens its incident once the bucket refills.
/// </summary>
public sealed class IntakeFloodTests : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private RunningService _service = null!;

    public async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _service = await RunningService.StartAsync(_db.ConnectionString, new Dictionary<string, string?>
        {
            ["Incidents:Intake:IntakeBurst"] = "20",
            ["Incidents:Intake:IntakePermitsPerSecond"] = "5",
            ["Incidents:Intake:MaxBodyBytes"] = "65536",
            ["Incidents:Intake:MaxAlertsPerBody"] = "50",
            ["Incidents:Intake:MaxAlertsPerIncident"] = "10",
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _service.DisposeAsync();
        await _db.DisposeAsync();
    }

    private static StringContent Json(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    [Fact]
    public async Task Flood_OversizedManyAndFast_AreRefused_TheServiceKeepsServingEveryoneElse()
    {
        using var api = _service.Api();
        var now = DateTimeOffset.UtcNow;
        var big = Body("big", Alert("fp-big", "firing", now));
        big["commonAnnotations"] = new JsonObject { ["description"] = new string('x', 70_000) };
        using (var r = await api.PostAsync("/api/alertmanager", Json(big))) r.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        var many = Body("many", [.. Enumerable.Range(0, 51).Select(i => Alert($"fp-{i}", "firing", now))]);
        using (var r = await api.PostAsync("/api/alertmanager", Json(many))) r.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);

        // as fast as one client can: the bucket (20, +5/s) runs dry and answers 429 with when to come back
        var codes = new List<HttpStatusCode>();
        string? retryAfter = null;
        for (var i = 0; i < 200 && retryAfter is null; i++)
        {
            using var r = await api.PostAsync("/api/alertmanager", Json(Body($"flood-{i}", Alert($"fl-{i}", "firing", now))));
            codes.Add(r.StatusCode);
            if (r.StatusCode == HttpStatusCode.TooManyRequests) retryAfter = r.Headers.RetryAfter?.ToString();
        }

        codes.ShouldContain(HttpStatusCode.TooManyRequests);
        retryAfter.ShouldNotBeNull();
        int.Parse(retryAfter, System.Globalization.CultureInfo.InvariantCulture).ShouldBeGreaterThanOrEqualTo(1);

        // the viewer's API calls are another caller's bucket: still answered
        using var viewer = _service.Api(RunningService.ViewerToken);
        (await viewer.GetAsync("/api/incidents?limit=5")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await _service.Api(null).GetAsync("/health")).StatusCode.ShouldBe(HttpStatusCode.OK);

        // once the bucket refills, an ordinary alert opens its incident: nothing was lost for good
        HttpResponseMessage? after = null;
        for (var i = 0; i < 100; i++)
        {
            after = await api.PostAsync("/api/alertmanager", Json(Body("after-flood", Alert("fp-after", "firing", now))));
            if (after.StatusCode != HttpStatusCode.TooManyRequests) break;
            await Task.Delay(200);
        }

        after!.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await ListAsync(viewer)).ShouldContain(i => i.GetProperty("group_key").GetString() == "after-flood");
    }

    [Fact]
    public async Task AlertsBeyondTheIncidentsCap_AreCountedNotStored()
    {
        using var api = _service.Api();
        var now = DateTimeOffset.UtcNow;
        var id = (await PostAsync(api, Body("cap", [.. Enumerable.Range(0, 30).Select(i => Alert($"cap-{i}", "firing", now.AddSeconds(-i)))])))
            .GetProperty("incident_id").GetInt64();
        var incident = await GetIncidentAsync(api, id);
        incident.GetProperty("alerts_total").GetInt64().ShouldBe(10);
        incident.GetProperty("timeline").EnumerateArray().Select(e => e.GetProperty("message").GetString()).ShouldContain(m => m!.StartsWith("20 alert(s) of this group beyond the 10", StringComparison.Ordinal));
        var page = await api.GetStringAsync($"/api/incidents/{id}/alerts?limit=3&offset=9");
        page.ShouldContain("\"total\":10");
        (await api.GetAsync($"/api/incidents/{id}/alerts?limit=100000")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await api.GetAsync($"/api/incidents/{id}/timeline?offset=-1")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await api.GetAsync("/api/incidents?before=abc")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }
}
