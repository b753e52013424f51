using System.Text.Json.Serialization;

namespace Incidents.Intake;

/// <summary>One alert of a webhook body.</summary>
public sealed class WebhookAlert
{
    /// <summary>firing or resolved.</summary>
    [JsonPropertyName("status")]
    public string? Status { get; set; }

    /// <summary>The alert's labels.</summary>
    [JsonPropertyName("labels")]
    public Dictionary<string, string>? Labels { get; set; }

    /// <summary>The alert's annotations.</summary>
    [JsonPropertyName("annotations")]
    public Dictionary<string, string>? Annotations { get; set; }

    /// <summary>When it started firing; a re-fire after a resolve has a later one.</summary>
    [JsonPropertyName("startsAt")]
    public DateTimeOffset StartsAt { get; set; }

    /// <summary>When it resolved (0001-01-01 while firing).</summary>
    [JsonPropertyName("endsAt")]
    public DateTimeOffset EndsAt { get; set; }

    /// <summary>Link to the expression in Prometheus.</summary>
    [JsonPropertyName("generatorURL")]
    public string? GeneratorUrl { get; set; }

    /// <summary>Alertmanager's hash of the labels: the alert's identity.</summary>
    [JsonPropertyName("fingerprint")]
    public string? Fingerprint { get; set; }
}
