namespace Incidents.Escalations;

/// <summary>
/// Reads and validates the escalation policy file (YAML). Read as a node tree rather than deserialized into classes so every
/// problem, including references between sections (a step naming an unknown schedule), is reported with its line; all
/// problems are collected, not only the first.
/// </summary>
public static class PolicyFile
{
    internal static readonly string[] TopLevel = ["users", "channels", "schedules", "policies", "routes", "default_policy"];

    /// <summary>
    /// Reads a file; throws <see cref="PolicyFileException"/> listing every problem. <paramref name="now"/> (default: the
    /// clock) is where a schedule's iCalendar shifts are expanded from.
    /// </summary>
    public static EscalationConfig Load(string path, DateTimeOffset? now = null) => Parse(File.ReadAllText(path), path, now);

    /// <summary>Parses YAML text; <paramref name="fileName"/> prefixes the errors, and its folder is where relative `ical` paths start.</summary>
    public static EscalationConfig Parse(string yaml, string fileName, DateTimeOffset? now = null)
    {
        var p = new PolicyFileParser(fileName, now ?? DateTimeOffset.UtcNow);
        var config = p.Run(yaml);
        if (p.Errors.Count > 0 || config is null) throw new PolicyFileException(p.Errors);
        return config;
    }
}
