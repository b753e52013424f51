using System.Globalization;
using System.Text;
using Incidents.Evidence;
using Incidents.Views;

namespace Incidents.Postmortem;

/// <summary>
/// Drafts a postmortem in the February 10, 2023 postmortem's format (ISSUE SUMMARY, TIMELINE, ROOT CAUSE AND RESOLUTION,
/// CORRECTIVE AND PREVENTATIVE MEASURES, TODO LIST) as Markdown, from the incident's timeline, alerts and diagnosis.
/// A draft: facts it has, and "to be written" where only people know.
/// </summary>
public static class PostmortemWriter
{
    /// <summary>Writes the draft; <paramref name="now"/> closes the duration of an incident still open.</summary>
    public static string Write(IncidentView incident, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(incident);
        var d = incident.Diagnosis is { } json ? DiagnosisSummary.From(json) : null;
        var start = incident.OnsetAt ?? incident.FaultStartedAt;
        var end = incident.ResolvedAt ?? now;
        var sb = new StringBuilder();
        sb.Append("# POSTMORTEM: ").AppendLine(E(Upper(incident.Title)));
        sb.AppendLine("`ISSUE SUMMARY`").AppendLine("<br>");
        sb.Append("**Duration**: ").Append(Duration(end - start)).Append(", from ").Append(Clock(start)).Append(" to ")
            .Append(incident.ResolvedAt is null ? "now (still open)" : Clock(end)).Append(" UTC on ")
            .Append(start.UtcDateTime.ToString("MMMM d, yyyy", CultureInfo.InvariantCulture)).AppendLine();
        sb.AppendLine("<br>");
        sb.Append("**Impact**: ").AppendLine(Impact(incident));
        sb.AppendLine("<br>");
        sb.Append("**Root Cause**: ").AppendLine(d is null
            ? "Not determined automatically (no diagnosis was available when the incident opened); to be written by the responders."
            : $"{CauseName(d.Cause)} (`{E(d.Cause)}`){(d.Summary is null ? "" : ": " + E(d.Summary))}");

        sb.AppendLine("# TIMELINE");
        var first = true;
        foreach (var e in incident.Timeline ?? [])
        {
            if (!first) sb.AppendLine("<br>");
            first = false;
            sb.Append(Clock(e.At)).Append(": ").AppendLine(E(e.Message));
        }

        sb.AppendLine("# ROOT CAUSE AND RESOLUTION");
        if (d is null)
        {
            sb.AppendLine("The alerts named the symptom, not the cause; no diagnosis of the guarded application was recorded. To be written.");
        }
        else
        {
            sb.Append("The live diagnosis named **").Append(E(d.Cause)).Append("**").Append(d.Confidence is { } c ? $" (confidence {c.ToString("0.##", CultureInfo.InvariantCulture)})" : "")
                .Append(d.Since is { } s ? $", holding since {Clock(s)} UTC" : "").AppendLine(".");
            if (d.Summary is not null) sb.AppendLine(E(d.Summary));
            if (d.Evidence.Count > 0)
            {
                sb.AppendLine().AppendLine("Evidence:");
                foreach (var item in d.Evidence) sb.Append("- ").AppendLine(E(item));
                sb.AppendLine();
            }

            if (d.Consequences.Count > 0) sb.Append("Consequences of it (not separate causes): ").AppendLine(E(string.Join(", ", d.Consequences)));
            if (d.Remedy is not null) sb.Append("Remedy: ").AppendLine(E(d.Remedy));
            if (d.Avoid is not null) sb.Append("What would make it worse: ").AppendLine(E(d.Avoid));
        }

        sb.AppendLine(incident.ResolvedAt is { } r
            ? $"The incident was resolved at {Clock(r)} UTC by {E(incident.ResolvedBy)}."
            : "The incident is not resolved yet.");
        sb.AppendLine();

        sb.AppendLine("# CORRECTIVE AND PREVENTATIVE MEASURES");
        sb.Append("Response times of this incident: MTTD ").Append(Seconds(incident.MttdS)).Append(", MTTA ").Append(Seconds(incident.MttaS))
            .Append(", MTTR ").Append(Seconds(incident.MttrS)).Append(incident.ReopenCount > 0 ? $", re-opened {incident.ReopenCount} time(s)" : "").AppendLine(".");
        if (d?.Remedy is not null) sb.Append("Apply the remedy for good, not only as a temporary fix: ").AppendLine(E(d.Remedy));
        foreach (var m in CauseMeasures(d?.Cause)) sb.AppendLine(m);
        if (incident.ReopenCount > 0) sb.AppendLine("The alert group fired again after resolving: review the alert's thresholds and `for:` so it does not flap.");

        sb.AppendLine("# TODO LIST");
        if (d?.Remedy is not null) sb.Append("- [ ] ").AppendLine(E(d.Remedy));
        // only http(s) links, as autolinks: a runbook_url comes from whoever wrote (or posted) the alert
        foreach (var a in (incident.Alerts ?? []).Select(a => MarkdownText.Link(a.Annotations.GetValueOrDefault("runbook_url"))).OfType<string>().Distinct())
        {
            sb.Append("- [ ] Check the runbook entry ").Append(a).AppendLine(" against what happened.");
        }

        sb.AppendLine("- [ ] Write the impact on users (who, how many, how long) from the website's metrics.");
        sb.AppendLine("- [ ] Add a test or an alert that would have caught this earlier.");
        return sb.ToString();
    }

    private static string Impact(IncidentView incident)
    {
        var alerts = incident.Alerts ?? [];
        var names = alerts.Select(a => a.Labels.GetValueOrDefault("alertname")).Where(n => n is not null).Distinct().ToList();
        var pools = alerts.Select(a => a.Labels.GetValueOrDefault("pool")).Where(p => !string.IsNullOrEmpty(p)).Distinct().ToList();
        var description = incident.Annotations.GetValueOrDefault("description")
            ?? alerts.Select(a => a.Annotations.GetValueOrDefault("description")).FirstOrDefault(x => x is not null);
        var severity = incident.Labels.GetValueOrDefault("severity");
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{alerts.Count} alert(s) fired ({E(string.Join(", ", names))})");
        if (pools.Count > 0) sb.Append(" for pool ").Append(E(string.Join(", ", pools)));
        if (severity is not null) sb.Append(", severity ").Append(E(severity));
        sb.Append('.');
        if (description is not null) sb.Append(' ').Append(E(description));
        sb.Append(" User-facing impact: to be written.");
        return sb.ToString();
    }

    private static IEnumerable<string> CauseMeasures(string? cause) => cause switch
    {
        "pool_too_small" => ["Size the pool from measured load (`lifeguard size`) and check the configuration in CI (`lifeguard check`)."],
        "slow_queries" => ["Review the statements that slowed down with EXPLAIN (`lifeguard review`) and add the missing index."],
        "connection_leak" => ["Fix the code path that holds a connection (the guard's leak report names its stack and route); keep leak detection on."],
        "lock_contention" => ["Find why the root blocker held its lock (long or idle-in-transaction session); set lock_timeout and idle_in_transaction_session_timeout."],
        "database_cpu" => ["Reduce the database's CPU load (plans, indexes) or give it more cores; a bigger pool would not help."],
        "connection_limit" => ["Set every instance's Maximum Pool Size against the server's max_connections (`lifeguard check --instances`)."],
        "network_latency" => ["Look at the network between the application and the database; hold times grew with round trips."],
        "database_unavailable" => ["Find why the database was unavailable (restart, failover, crash) and how fast the application recovered."],
        "pooler_saturated" => ["Size the pooler's pool per database/user within the server's slots (`lifeguard size --pooler`), keep long jobs off the pooler's pool, and alert on its waiting clients; do not grow the application pools."],
        _ => ["To be written: what would stop this from happening again."],
    };

    private static string CauseName(string cause) => cause switch
    {
        "pool_too_small" => "The connection pool was too small for the load",
        "slow_queries" => "Slow queries held the pool's connections",
        "database_cpu" => "The database's CPU was saturated",
        "connection_leak" => "Connections were leaked (held and not returned)",
        "lock_contention" => "Sessions queued on a database lock",
        "connection_limit" => "The database server ran out of connection slots",
        "network_latency" => "Network latency to the database grew",
        "database_unavailable" => "The database was unavailable",
        "pooler_saturated" => "Requests queued in the connection pooler (PgBouncer) in front of the database",
        "healthy" => "The application looked healthy when the incident opened",
        _ => "Unknown",
    };

    private static string Upper(string s) => s.ToUpperInvariant();

    private static string E(string? s) => MarkdownText.Escape(s);

    private static string Clock(DateTimeOffset t) => t.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture);

    private static string Seconds(double? s) => s is { } v ? Duration(TimeSpan.FromSeconds(v)) : "n/a";

    internal static string Duration(TimeSpan t)
    {
        if (t < TimeSpan.Zero) t = TimeSpan.Zero;
        if (t.TotalMinutes < 1) return t.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + " seconds";
        if (t.TotalHours < 1) return $"{(int)t.TotalMinutes} minutes {t.Seconds} seconds";
        return $"{(int)t.TotalHours} hours {t.Minutes} minutes";
    }
}
