using System.ComponentModel.DataAnnotations;

namespace Incidents;

/// <summary>Where and how the service fetches a pool's live diagnosis when an incident opens.</summary>
public sealed class EvidenceOptions
{
    /// <summary>URL template; <c>{instance}</c> is the alert's instance label (the management address Prometheus scrapes). Empty turns evidence off.</summary>
    public string? DiagnosisUrl { get; set; } = "http://{instance}/lifeguard/diagnosis";

    /// <summary>Hosts the service may fetch from (loopback by default; configuration adds to the list); labels come from Alertmanager, so they must not steer requests anywhere.</summary>
    public IList<string> AllowedHosts { get; } = ["127.0.0.1", "localhost", "::1"];

    /// <summary>A file with the bearer token the guarded app's management address asks for (Lifeguard:Endpoints:Token), if any; never logged.</summary>
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
}
