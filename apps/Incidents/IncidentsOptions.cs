using System.ComponentModel.DataAnnotations;

namespace Incidents;

/// <summary>The service's options (section <c>Incidents</c>), validated at startup.</summary>
public sealed class IncidentsOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Incidents";

    /// <summary>A file holding the responder bearer token (API and Alertmanager); read at startup, never logged.</summary>
    public string? TokenFile { get; set; }

    /// <summary>The responder token itself, when no file is used (tests).</summary>
    public string? Token { get; set; }

    /// <summary>An optional file with a read-only (viewer) bearer token.</summary>
    public string? ViewerTokenFile { get; set; }

    /// <summary>The viewer token itself, when no file is used (tests).</summary>
    public string? ViewerToken { get; set; }

    /// <summary>A group that fires again within this time after its incident resolved re-opens that incident.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "30.00:00:00")]
    public TimeSpan ReopenWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>A file (mode 600, outside the database) whose text encrypts the cookie-signing keys stored in the database; required.</summary>
    public string? KeyEncryptionKeyFile { get; set; }

    /// <summary>The UI's login limits, lockout and sessions.</summary>
    [Required]
    public LoginOptions Login { get; set; } = new();

    /// <summary>Bounds on intake, API pages and request rates.</summary>
    [Required]
    public IntakeOptions Intake { get; set; } = new();

    /// <summary>How evidence (the guarded app's live diagnosis) is fetched.</summary>
    [Required]
    public EvidenceOptions Evidence { get; set; } = new();

    /// <summary>Escalation policies, schedules and channels.</summary>
    [Required]
    public EscalationOptions Escalation { get; set; } = new();
}
