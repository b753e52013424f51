using System.Text.Json;
using Lifeguard.Contracts;
using Lifeguard.Contracts.Alertmanager;

namespace Lifeguard.Contracts.Tests.Alertmanager;

public sealed class AlertmanagerWebhookTests
{
    // the shape Alertmanager 0.25 posts (webhook_config, version 4)
    private const string Body = """
        {"receiver":"lifeguard-page","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"PoolExhausted","pool":"orders"},
        "annotations":{"summary":"pool full"},"startsAt":"2026-12-01T08:00:00.123456789Z","endsAt":"0001-01-01T00:00:00Z",
        "generatorURL":"http://prometheus/graph?g0.expr=x","fingerprint":"c0ffee"}],"groupLabels":{"alertname":"PoolExhausted"},
        "commonLabels":{"alertname":"PoolExhausted","pool":"orders"},"commonAnnotations":{"summary":"pool full"},
        "externalURL":"http://alertmanager:9093","version":"4","groupKey":"{}:{alertname=\"PoolExhausted\"}","truncatedAlerts":2}
        """;

    [Fact]
    public void Deserialize_AlertmanagersBody_ReadsEveryField()
    {
        var w = JsonSerializer.Deserialize<AlertmanagerWebhook>(Body)!;
        w.Version.ShouldBe(AlertmanagerWebhook.CurrentVersion);
        w.GroupKey.ShouldBe("{}:{alertname=\"PoolExhausted\"}");
        w.TruncatedAlerts.ShouldBe(2);
        w.Status.ShouldBe(AlertmanagerStatus.Firing);
        w.Receiver.ShouldBe("lifeguard-page");
        w.GroupLabels!["alertname"].ShouldBe("PoolExhausted");
        w.CommonLabels!["pool"].ShouldBe("orders");
        w.CommonAnnotations!["summary"].ShouldBe("pool full");
        w.ExternalUrl.ShouldBe("http://alertmanager:9093");
        var a = w.Alerts!.Single();
        a.Status.ShouldBe(AlertmanagerStatus.Firing);
        a.Fingerprint.ShouldBe("c0ffee");
        a.StartsAt.ShouldBe(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero).AddTicks(1234567));
        a.EndsAt.Year.ShouldBe(1);
        a.GeneratorUrl.ShouldBe("http://prometheus/graph?g0.expr=x");
        a.Labels!["alertname"].ShouldBe("PoolExhausted");
        a.Annotations!["summary"].ShouldBe("pool full");
    }

    [Fact]
    public void Serialize_WithTheContractOptions_KeepsAlertmanagersOwnNames()
    {
        var json = JsonSerializer.Serialize(JsonSerializer.Deserialize<AlertmanagerWebhook>(Body), ContractJson.Options);
        foreach (var name in new[] { "\"groupKey\"", "\"truncatedAlerts\"", "\"groupLabels\"", "\"commonLabels\"", "\"commonAnnotations\"", "\"externalURL\"", "\"startsAt\"", "\"endsAt\"", "\"generatorURL\"" })
        {
            json.ShouldContain(name);
        }

        // label and annotation names are data: never renamed by the options' DictionaryKeyPolicy
        var w = new AlertmanagerWebhook { CommonLabels = new() { ["podName"] = "web-1" }, Alerts = [new AlertmanagerAlert { Annotations = new() { ["runbookURL"] = "r" } }] };
        var written = JsonSerializer.Serialize(w, ContractJson.Options);
        written.ShouldContain("\"podName\":\"web-1\"");
        written.ShouldContain("\"runbookURL\":\"r\"");
        JsonSerializer.Deserialize<AlertmanagerWebhook>(written, ContractJson.Options)!.CommonLabels!["podName"].ShouldBe("web-1");
    }
}
