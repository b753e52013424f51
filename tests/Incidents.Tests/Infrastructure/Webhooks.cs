using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Incidents.Tests.Infrastructure;

/// <summary>Builds Alertmanager webhook v4 bodies like the real one sends, and posts them.</summary>
internal static class Webhooks
{
    public static readonly DateTimeOffset T0 = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    public static JsonObject Alert(string fingerprint, string status, DateTimeOffset startsAt, DateTimeOffset? endsAt = null, string alertname = "LifeguardPoolSaturated",
        string pool = "127.0.0.1:54329/lifeguard", string instance = "127.0.0.1:5080") => new()
    {
        ["status"] = status,
        ["labels"] = new JsonObject { ["alertname"] = alertname, ["pool"] = pool, ["severity"] = "page", ["instance"] = instance, ["job"] = "lifeguard-website" },
        ["annotations"] = new JsonObject { ["summary"] = $"Pool {pool} on {instance} is saturated", ["description"] = "2 request(s) have been waiting", ["runbook_url"] = "deploy/RUNBOOK.md#lifeguardpoolsaturated" },
        // Alertmanager writes nanoseconds; the service must read them
        ["startsAt"] = startsAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffff", System.Globalization.CultureInfo.InvariantCulture) + "21Z",
        ["endsAt"] = (endsAt ?? DateTimeOffset.MinValue).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", System.Globalization.CultureInfo.InvariantCulture),
        ["generatorURL"] = "http://127.0.0.1:9091/graph",
        ["fingerprint"] = fingerprint,
    };

    public static JsonObject Body(string groupKey, params JsonObject[] alerts) => Body(groupKey, 0, alerts);

    public static JsonObject Body(string groupKey, int truncated, params JsonObject[] alerts)
    {
        var status = alerts.Any(a => (string?)a["status"] == "firing") ? "firing" : "resolved";
        var first = alerts[0]["labels"]!.AsObject();
        return new JsonObject
        {
            ["receiver"] = "lifeguard-page",
            ["status"] = status,
            ["alerts"] = new JsonArray(alerts.Select(a => (JsonNode)a.DeepClone()).ToArray()),
            ["groupLabels"] = new JsonObject { ["alertname"] = (string?)first["alertname"], ["pool"] = (string?)first["pool"] },
            ["commonLabels"] = new JsonObject { ["alertname"] = (string?)first["alertname"], ["pool"] = (string?)first["pool"], ["severity"] = "page", ["instance"] = (string?)first["instance"] },
            ["commonAnnotations"] = new JsonObject { ["summary"] = (string?)alerts[0]["annotations"]!["summary"] },
            ["externalURL"] = "http://127.0.0.1:9094",
            ["version"] = "4",
            ["groupKey"] = groupKey,
            ["truncatedAlerts"] = truncated,
        };
    }

    public static async Task<JsonElement> PostAsync(HttpClient api, JsonObject body)
    {
        using var response = await api.PostAsync("/api/alertmanager", new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.ShouldBeTrue($"intake answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static async Task<JsonElement> GetIncidentAsync(HttpClient api, long id) =>
        (await api.GetFromJsonAsync<JsonElement>($"/api/incidents/{id}"));

    public static async Task<JsonElement[]> ListAsync(HttpClient api, string status = "all") =>
        (await api.GetFromJsonAsync<JsonElement>($"/api/incidents?status={status}")).EnumerateArray().ToArray();
}
