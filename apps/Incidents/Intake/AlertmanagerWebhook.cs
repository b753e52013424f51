using System.Text.Json.Serialization;

namespace Incidents.Intake;

/// <summary>Alertmanager's webhook body, version 4.</summary>
public sealed class AlertmanagerWebhook
{
    /// <summary>Body version; only "4" is accepted.</summary>
    [JsonPropertyName("version")]
    public string? Version { get; set; }

    /// <summary>The alert group's key: stable for one route and one set of group labels.</summary>
    [JsonPropertyName("groupKey")]
    public string? GroupKey { get; set; }

    /// <summary>Alerts left out because of the webhook's max_alerts.</summary>
    [JsonPropertyName("truncatedAlerts")]
    public int TruncatedAlerts { get; set; }

    /// <summary>firing while any alert of the group fires, else resolved.</summary>
    [JsonPropertyName("status")]
    public string? Status { get; set; }

    /// <summary>The receiver's name (lifeguard-page, lifeguard-ticket).</summary>
    [JsonPropertyName("receiver")]
    public string? Receiver { get; set; }

    /// <summary>The labels the group is formed by.</summary>
    [JsonPropertyName("groupLabels")]
    public Dictionary<string, string>? GroupLabels { get; set; }

    /// <summary>Labels every alert of the group shares.</summary>
    [JsonPropertyName("commonLabels")]
    public Dictionary<string, string>? CommonLabels { get; set; }

    /// <summary>Annotations every alert of the group shares.</summary>
    [JsonPropertyName("commonAnnotations")]
    public Dictionary<string, string>? CommonAnnotations { get; set; }

    /// <summary>Alertmanager's own URL.</summary>
    [JsonPropertyName("externalURL")]
    public string? ExternalUrl { get; set; }

    /// <summary>The alerts (at most max_alerts of them).</summary>
    [JsonPropertyName("alerts")]
    public IList<WebhookAlert>? Alerts { get; set; }
}
