using System.Text.Json.Serialization;

namespace Lifeguard.Contracts.Alertmanager;

/// <summary>One alert of an Alertmanager webhook body (version 4).</summary>
public sealed class AlertmanagerAlert
{
    /// <summary><see cref="AlertmanagerStatus.Firing"/> or <see cref="AlertmanagerStatus.Resolved"/>.</summary>
    [JsonPropertyName("status")]
    public string? Status { get; set; }

    /// <summary>The alert's labels.</summary>
    [JsonPropertyName("labels")]
    [JsonConverter(typeof(VerbatimKeysConverter))]
    public Dictionary<string, string>? Labels { get; set; }

    /// <summary>The alert's annotations.</summary>
    [JsonPropertyName("annotations")]
    [JsonConverter(typeof(VerbatimKeysConverter))]
    public Dictionary<string, string>? Annotations { get; set; }

    /// <summary>When it started firing; a re-fire after a resolve has a later one.</summary>
    [JsonPropertyName("startsAt")]
    public DateTimeOffset StartsAt { get; set; }

    /// <summary>When it resolved; Alertmanager sends 0001-01-01T00:00:00Z while it fires.</summary>
    [JsonPropertyName("endsAt")]
    public DateTimeOffset EndsAt { get; set; }

    /// <summary>Link to the alerting expression (Prometheus's graph page).</summary>
    [JsonPropertyName("generatorURL")]
    public string? GeneratorUrl { get; set; }

    /// <summary>Alertmanager's hash of the labels: the alert's identity.</summary>
    [JsonPropertyName("fingerprint")]
    public string? Fingerprint { get; set; }
}
