namespace Lifeguard.Cli.Drill;

/// <summary>
/// The incident the drill's fault became in the incident service (apps/Incidents), or why there is none. The postmortem
/// link is the service's page (a responder's login) and its API twin (the bearer token).
/// </summary>
internal sealed record DrillIncident
{
    /// <summary>The incident service the drill reported to.</summary>
    public required string Service { get; init; }
    /// <summary>The incident's id; null when none was opened (service not running, nothing detected, intake refused).</summary>
    public long? Id { get; init; }
    /// <summary>The incident's page.</summary>
    public string? Url { get; init; }
    /// <summary>The postmortem draft's page: <c>/incidents/{id}/postmortem</c>.</summary>
    public string? PostmortemUrl { get; init; }
    /// <summary>The same draft as Markdown from the API: <c>/api/incidents/{id}/postmortem</c>.</summary>
    public string? PostmortemApiUrl { get; init; }
    /// <summary>The intake's last answer for the drill's alert: opened, resolved, ... (or not_running, no_token, refused, not_detected, failed).</summary>
    public required string Status { get; init; }
    /// <summary>One line for people: what happened to the incident.</summary>
    public required string Note { get; init; }
}
