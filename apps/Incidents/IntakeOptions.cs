using System.ComponentModel.DataAnnotations;

namespace Incidents;

/// <summary>
/// Bounds on what one token holder can make the service store and serve (section <c>Incidents:Intake</c>): a sender with
/// the token, or anyone who can post to Alertmanager, must not be able to fill the database or starve other callers.
/// </summary>
public sealed class IntakeOptions
{
    /// <summary>Largest webhook body, in bytes; bigger is 413 (Alertmanager's own bodies are far smaller with max_alerts).</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Alerts in one body; more is 413 (deploy/alertmanager sets max_alerts to the same number).</summary>
    [Range(1, 100_000)]
    public int MaxAlertsPerBody { get; set; } = 1000;

    /// <summary>Labels (and, separately, annotations) per alert; more is 400.</summary>
    [Range(1, 1000)]
    public int MaxLabelsPerAlert { get; set; } = 64;

    /// <summary>Length of a label or annotation name; longer is 400.</summary>
    [Range(16, 4096)]
    public int MaxNameLength { get; set; } = 128;

    /// <summary>Length of a label value or an annotation value; longer is 400.</summary>
    [Range(64, 1024 * 1024)]
    public int MaxValueLength { get; set; } = 4096;

    /// <summary>Alerts an incident keeps; fingerprints beyond it are counted (one timeline line), not stored.</summary>
    [Range(1, 100_000)]
    public int MaxAlertsPerIncident { get; set; } = 200;

    /// <summary>Webhook posts per second per caller (token bucket refill); over it is 429 with Retry-After.</summary>
    [Range(1, 100_000)]
    public int IntakePermitsPerSecond { get; set; } = 200;

    /// <summary>Webhook posts a caller may burst before the per-second rate applies.</summary>
    [Range(1, 1_000_000)]
    public int IntakeBurst { get; set; } = 2000;

    /// <summary>Other API calls (and /metrics) per second per caller.</summary>
    [Range(1, 100_000)]
    public int ApiPermitsPerSecond { get; set; } = 50;

    /// <summary>Other API calls a caller may burst.</summary>
    [Range(1, 1_000_000)]
    public int ApiBurst { get; set; } = 500;

    /// <summary>Largest page the API serves (<c>limit</c>); more is 400.</summary>
    [Range(1, 10_000)]
    public int MaxPageSize { get; set; } = 500;

    /// <summary>Where relative <c>runbook_url</c> annotations point (e.g. the repository's deploy/ on your Git host);
    /// without it a relative runbook link is dropped. Absolute links must be http(s).</summary>
    public Uri? RunbookBaseUrl { get; set; }
}
