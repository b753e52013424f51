using System.ComponentModel.DataAnnotations;

namespace Incidents;

/// <summary>
/// Where and how the service fetches a pool's live diagnosis when an incident opens. Only from configured places: an
/// alert's labels come from whoever can post to Alertmanager, so they choose among the targets below, never an address.
/// </summary>
public sealed class EvidenceOptions : IValidatableObject
{
    /// <summary>
    /// The guarded apps' management addresses, by any name: <c>Targets:site=http://127.0.0.1:5081</c>. An alert whose
    /// <c>instance</c> label is a target's host:port (what Prometheus scrapes) gets its diagnosis from that target; any
    /// other alert gets none. Empty (the default): no evidence is fetched.
    /// </summary>
    public IDictionary<string, string> Targets { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>The diagnosis's path on a management address.</summary>
    [Required]
    [RegularExpression("^/[A-Za-z0-9/_.-]*$", ErrorMessage = "Incidents:Evidence:DiagnosisPath must be an absolute path of letters, digits and / _ . -.")]
    public string DiagnosisPath { get; set; } = "/lifeguard/diagnosis";

    /// <summary>The largest diagnosis accepted, in bytes; a bigger answer is refused, not truncated.</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxResponseBytes { get; set; } = 256 * 1024;

    /// <summary>A file with the bearer token the guarded app's management address asks for (Lifeguard:Endpoints:Token), if any; sent only to the targets, never logged.</summary>
    public string? TokenFile { get; set; }

    /// <summary>Per-request timeout.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Attempts before the evidence is marked failed.</summary>
    [Range(1, 20)]
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Pause between attempts.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often the worker looks for pending evidence when nothing woke it.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, url) in Targets)
        {
            if (Evidence.EvidenceTarget.ParseTarget(url) is null)
            {
                yield return new ValidationResult(
                    $"Incidents:Evidence:Targets:{name} must be a management address like http://127.0.0.1:5081 (http or https, host and port, no user info, path or query).");
            }
        }
    }
}
