using System.Text.Json.Serialization;

namespace Lifeguard.Contracts.Alertmanager;

/// <summary>
/// Alertmanager's webhook body, version 4, with Alertmanager's own (camelCase) field names. Properties are settable and
/// nullable so a receiver can tell a missing field from an empty one and a sender (the drill) can build a body.
/// </summary>
public sealed class AlertmanagerWebhook
{
    /// <summary>The version this model describes.</summary>
    public const string CurrentVersion = "4";

    /// <summary>Body version; Alertmanager sends "4".</summary>
    [JsonPropertyName("version")]
    public string? Version { get; set; }

    /// <summary>The alert group's key: stable for one route and one set of group labels.</summary>
    [JsonPropertyName("groupKey")]
    public string? GroupKey { get; set; }

    /// <summary>Alerts left out because of the webhook's <c>max_alerts</c>.</summary>
    [JsonPropertyName("truncatedAlerts")]
    public int TruncatedAlerts { get; set; }

    /// <summary><see cref="AlertmanagerStatus.Firing"/> while any alert of the group fires, else <see cref="AlertmanagerStatus.Resolved"/>.</summary>
    [JsonPropertyName("status")]
    public string? Status { get; set; }

    /// <summary>The receiver's name in Alertmanager's configuration.</summary>
    [JsonPropertyName("receiver")]
    public string? Receiver { get; set; }

    /// <summary>The labels the group is formed by.</summary>
    [JsonPropertyName("groupLabels")]
    [JsonConverter(typeof(VerbatimKeysConverter))]
    public Dictionary<string, string>? GroupLabels { get; set; }

    /// <summary>Labels every alert of the group shares.</summary>
    [JsonPropertyName("commonLabels")]
    [JsonConverter(typeof(VerbatimKeysConverter))]
    public Dictionary<string, string>? CommonLabels { get; set; }

    /// <summary>Annotations every alert of the group shares.</summary>
    [JsonPropertyName("commonAnnotations")]
    [JsonConverter(typeof(VerbatimKeysConverter))]
    public Dictionary<string, string>? CommonAnnotations { get; set; }

    /// <summary>Alertmanager's own URL.</summary>
    [JsonPropertyName("externalURL")]
    public string? ExternalUrl { get; set; }

    /// <summary>The alerts (at most <c>max_alerts</c> of them).</summary>
    [JsonPropertyName("alerts")]
    public IList<AlertmanagerAlert>? Alerts { get; set; }
}
