using System.ComponentModel.DataAnnotations;

namespace Incidents;

/// <summary>Escalation, schedules and channels (section <c>Incidents:Escalation</c>).</summary>
public sealed class EscalationOptions
{
    /// <summary>The YAML policy file; none: incidents do not escalate.</summary>
    public string? PolicyFile { get; set; }

    /// <summary>How long one "minute" of the policy file's waits and ack_timeout lasts; shortened in tests and demos.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan MinuteLength { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often each replica looks for due steps and deliveries (it is also woken when one is written).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Attempts per delivery before it is recorded as failed.</summary>
    [Range(1, 20)]
    public int DeliveryAttempts { get; set; } = 4;

    /// <summary>Delay before the first retry; doubled after every failed attempt.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Per-attempt timeout of a webhook or SMTP delivery.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The address people open the incident service at; the acknowledge link in messages starts with it.</summary>
    [Required]
    public Uri PublicUrl { get; set; } = new("http://127.0.0.1:5090/");

    /// <summary>SMTP server host for e-mail.</summary>
    [Required]
    public string SmtpHost { get; set; } = "127.0.0.1";

    /// <summary>SMTP server port.</summary>
    [Range(1, 65535)]
    public int SmtpPort { get; set; } = 25;

    /// <summary>The sender address.</summary>
    [Required]
    public string MailFrom { get; set; } = "lifeguard-incidents@localhost";
}
