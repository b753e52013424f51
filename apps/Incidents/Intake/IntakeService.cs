using System.Text.Json;
using Dapper;
using Incidents.Data;
using Incidents.Evidence;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Incidents.Intake;

/// <summary>
/// Turns Alertmanager notifications into incidents. Idempotent: Alertmanager re-sends every group each group_interval and
/// repeat_interval and retries failures, so the state of each alert (fingerprint + startsAt) decides what is new, never the
/// arrival of a body. One transaction per body, serialised per group by an advisory lock, so replicas never race.
/// </summary>
public sealed class IntakeService(
    NpgsqlDataSource db,
    IOptions<IncidentsOptions> options,
    TimeProvider time,
    EvidenceSignal evidenceSignal,
    Incidents.Escalation.Escalations escalations,
    ILogger<IntakeService> logger)
{
    private const int MaxTimelineEntriesPerBody = 20;
    private const string Actor = "alertmanager";

    /// <summary>Applies one (validated) webhook body.</summary>
    public async Task<IntakeResult> ReceiveAsync(AlertmanagerWebhook body, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(body);
        var groupKey = body.GroupKey!;
        var now = time.GetUtcNow().UtcDateTime;
        // one entry per fingerprint; the last one in the body wins
        var alerts = body.Alerts!.GroupBy(a => a.Fingerprint!).Select(g => g.Last()).ToList();

        await using var conn = await db.OpenConnectionAsync(ct);
        // Fast path for the common case, a re-send: read without lock or transaction; a body that changes nothing against
        // this state would change nothing against any later one (later state only makes the body staler), so answering
        // "unchanged" is safe. Anything else takes the locked path below and is classified again there.
        if (await IsResendAsync(conn, groupKey, alerts, body, ct) is { } resent) return new IntakeResult(IntakeOutcome.Unchanged, resent);

        await using var tx = await conn.BeginTransactionAsync(ct);
        // The lock is its own statement on purpose: under READ COMMITTED each later statement takes its snapshot after the
        // lock is held, so it sees the incident a concurrent intake of the same group just committed.
        await conn.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(hashtextextended(@groupKey, 15))", new { groupKey }, tx, cancellationToken: ct));
        IncidentRow? incident;
        Dictionary<string, AlertRow> latestAlerts;
        await using (var read = await conn.QueryMultipleAsync(new CommandDefinition(
            """
            SELECT * FROM incidents WHERE group_key = @groupKey ORDER BY id DESC LIMIT 1;
            SELECT * FROM incident_alerts WHERE incident_id = (SELECT id FROM incidents WHERE group_key = @groupKey ORDER BY id DESC LIMIT 1);
            """, new { groupKey }, tx, cancellationToken: ct)))
        {
            incident = await read.ReadSingleOrDefaultAsync<IncidentRow>();
            latestAlerts = (await read.ReadAsync<AlertRow>()).ToDictionary(a => a.Fingerprint, StringComparer.Ordinal);
        }

        var opts = options.Value;
        var reusable = incident is not null &&
            (incident.Status != IncidentStatus.Resolved || incident.ResolvedAt >= now - opts.ReopenWindow);
        var known = reusable ? latestAlerts : [];
        // bounded per incident: alerts it already has, then new ones newest first up to the cap; the rest only counted
        var (kept, overflow) = CapAlerts(alerts, known, opts.Intake.MaxAlertsPerIncident);
        var plan = Classify(kept, known, body.Status == "resolved");

        IntakeOutcome outcome;
        if (!reusable)
        {
            if (plan.Firing.Count == 0)
            {
                await tx.CommitAsync(ct);
                return new IntakeResult(IntakeOutcome.Ignored, null);
            }

            incident = await OpenAsync(conn, tx, body, kept, now, ct);
            await escalations.StartAsync(conn, tx, incident.Id, incident.Labels, now, ct);
            outcome = IntakeOutcome.Opened;
        }
        else if (incident!.Status == IncidentStatus.Resolved)
        {
            if (plan.Firing.Count == 0)
            {
                // late resolves or re-sends for a closed incident: keep the alerts' state, nothing else
                await UpsertAlertsAsync(conn, tx, incident.Id, plan, ct);
                await tx.CommitAsync(ct);
                return new IntakeResult(IntakeOutcome.Unchanged, incident.Id);
            }

            await ReopenAsync(conn, tx, incident, plan, now, ct);
            await escalations.StartAsync(conn, tx, incident.Id, incident.Labels, now, ct);
            outcome = IntakeOutcome.Reopened;
        }
        else
        {
            outcome = plan.Changed ? IntakeOutcome.Updated : IntakeOutcome.Unchanged;
        }

        await UpsertAlertsAsync(conn, tx, incident.Id, plan, ct);
        if (outcome != IntakeOutcome.Opened)
        {
            await WriteAlertEventsAsync(conn, tx, incident.Id, plan, now, ct);
        }

        if (body.TruncatedAlerts != incident.TruncatedAlerts)
        {
            await conn.ExecuteAsync(new CommandDefinition(
                "UPDATE incidents SET truncated_alerts = @n, updated_at = @now WHERE id = @id", new { n = body.TruncatedAlerts, now, id = incident.Id }, tx, cancellationToken: ct));
            if (body.TruncatedAlerts > 0)
            {
                await Timeline.AddAsync(conn, tx, incident.Id, now, TimelineKind.Truncated, Actor,
                    $"Alertmanager left {body.TruncatedAlerts} alert(s) of this group out of the notification (max_alerts); the incident stays open until the group resolves.", null, ct);
            }

            if (outcome == IntakeOutcome.Unchanged) outcome = IntakeOutcome.Updated;
        }

        if (overflow > incident.AlertsOverflow)
        {
            await conn.ExecuteAsync(new CommandDefinition(
                "UPDATE incidents SET alerts_overflow = @overflow, updated_at = @now WHERE id = @id", new { overflow, now, id = incident.Id }, tx, cancellationToken: ct));
            await Timeline.AddAsync(conn, tx, incident.Id, now, TimelineKind.Truncated, Actor,
                $"{overflow} alert(s) of this group beyond the {opts.Intake.MaxAlertsPerIncident} this incident keeps were counted, not stored (Incidents:Intake:MaxAlertsPerIncident).", null, ct);
        }

        // Resolved when no alert of the group still fires. With truncation (Alertmanager's or the cap's) the stored alerts
        // are not all of them, so then only Alertmanager's group status can say the whole group resolved.
        var stillFiring = StillFiring(known, plan);
        var groupResolved = stillFiring == 0 && ((body.TruncatedAlerts == 0 && overflow == 0) || body.Status == "resolved");
        if (groupResolved && incident.Status != IncidentStatus.Resolved)
        {
            await conn.ExecuteAsync(new CommandDefinition(
                "UPDATE incidents SET status = 'resolved', resolved_at = @now, resolved_by = @Actor, updated_at = @now WHERE id = @id",
                new { now, Actor, id = incident.Id }, tx, cancellationToken: ct));
            await Timeline.AddAsync(conn, tx, incident.Id, now, TimelineKind.Resolved, Actor, "Resolved: every alert of the group has resolved.", null, ct);
            await Incidents.Escalation.Escalations.ResolvedAsync(conn, tx, incident.Id, now, ct);
            await Audit.AddAsync(conn, tx, now, Actor, "alertmanager", "resolve", incident.Id, "every alert of the group resolved", ct);
            outcome = IntakeOutcome.Resolved;
        }

        await tx.CommitAsync(ct);
        if (outcome is IntakeOutcome.Opened or IntakeOutcome.Reopened)
        {
            evidenceSignal.Wake();
            escalations.Wake();
        }
        if (outcome != IntakeOutcome.Unchanged)
        {
            logger.LogInformation("Incident {IncidentId}: {Outcome} by a notification for group {GroupKey}", incident.Id, outcome, Lifeguard.Kit.SafeText.Printable(groupKey));
        }

        return new IntakeResult(outcome, incident.Id);
    }

    private static async Task<long?> IsResendAsync(NpgsqlConnection conn, string groupKey, List<WebhookAlert> alerts, AlertmanagerWebhook body, CancellationToken ct)
    {
        await using var read = await conn.QueryMultipleAsync(new CommandDefinition(
            """
            SELECT * FROM incidents WHERE group_key = @groupKey ORDER BY id DESC LIMIT 1;
            SELECT * FROM incident_alerts WHERE incident_id = (SELECT id FROM incidents WHERE group_key = @groupKey ORDER BY id DESC LIMIT 1);
            """, new { groupKey }, cancellationToken: ct));
        var incident = await read.ReadSingleOrDefaultAsync<IncidentRow>();
        var known = (await read.ReadAsync<AlertRow>()).ToDictionary(a => a.Fingerprint, StringComparer.Ordinal);
        if (incident is null || incident.Status == IncidentStatus.Resolved || incident.TruncatedAlerts != body.TruncatedAlerts) return null;
        var plan = Classify(alerts, known, body.Status == "resolved");
        return plan.Changed || StillFiring(known, plan) == 0 ? null : incident.Id;
    }

    internal static IntakePlan Classify(IReadOnlyList<WebhookAlert> alerts, IReadOnlyDictionary<string, AlertRow> known, bool groupResolved)
    {
        var plan = new IntakePlan();
        var stale = false;
        foreach (var a in alerts)
        {
            var starts = Microseconds(a.StartsAt);
            known.TryGetValue(a.Fingerprint!, out var k);
            if (k is not null && starts < k.StartsAt)
            {
                stale = true; // a retry of an older notification: the stored state is newer
                continue;
            }

            if (a.Status == "firing")
            {
                if (k is null || starts > k.StartsAt) plan.Firing.Add(a);
                // same startsAt: a re-send while firing, or a late retry of a firing body after the resolve: no change
            }
            else if (k is null)
            {
                plan.JoinedResolved.Add(a);
            }
            else if (k.Status == "firing")
            {
                plan.Resolved.Add(a);
            }
        }

        // Group resolved per Alertmanager: alerts it did not list (truncation) resolved too, unless this body is stale.
        if (groupResolved && !stale)
        {
            var listed = alerts.Select(a => a.Fingerprint!).ToHashSet(StringComparer.Ordinal);
            plan.ResolvedUnlisted.AddRange(known.Values.Where(k => k.Status == "firing" && !listed.Contains(k.Fingerprint)).Select(k => k.Fingerprint));
        }

        return plan;
    }

    // The alerts an incident takes from one body: every one it already holds, then unknown ones, newest first, while
    // there is room; the count of the others is all that is kept of them.
    internal static (List<WebhookAlert> Kept, int Overflow) CapAlerts(List<WebhookAlert> alerts, IReadOnlyDictionary<string, AlertRow> known, int max)
    {
        var room = Math.Max(0, max - known.Count);
        var fresh = alerts.Where(a => !known.ContainsKey(a.Fingerprint!)).ToList();
        if (fresh.Count <= room) return (alerts, 0);
        var admitted = fresh.OrderByDescending(a => a.StartsAt).Take(room).Select(a => a.Fingerprint!).ToHashSet(StringComparer.Ordinal);
        return (alerts.Where(a => known.ContainsKey(a.Fingerprint!) || admitted.Contains(a.Fingerprint!)).ToList(), fresh.Count - room);
    }

    // the incident's alerts still firing once the plan is applied (the stored state was read under the group's lock)
    internal static int StillFiring(IReadOnlyDictionary<string, AlertRow> known, IntakePlan plan)
    {
        var firing = known.Values.Where(k => k.Status == "firing").Select(k => k.Fingerprint).ToHashSet(StringComparer.Ordinal);
        foreach (var a in plan.Resolved) firing.Remove(a.Fingerprint!);
        foreach (var fp in plan.ResolvedUnlisted) firing.Remove(fp);
        foreach (var a in plan.Firing) firing.Add(a.Fingerprint!);
        return firing.Count;
    }

    private async Task<IncidentRow> OpenAsync(NpgsqlConnection conn, NpgsqlTransaction tx, AlertmanagerWebhook body, List<WebhookAlert> alerts, DateTime now, CancellationToken ct)
    {
        var labels = new Dictionary<string, string>(body.CommonLabels ?? [], StringComparer.Ordinal);
        foreach (var (k, v) in body.GroupLabels ?? []) labels[k] = v;
        var firing = alerts.Where(a => a.Status == "firing").ToList();
        // a pool's instance may differ per alert; the first firing one decides where the evidence comes from
        var evidenceLabels = new Dictionary<string, string>(labels, StringComparer.Ordinal);
        if (!evidenceLabels.ContainsKey("instance") && firing[0].Labels?.TryGetValue("instance", out var inst) == true) evidenceLabels["instance"] = inst;
        if (!evidenceLabels.ContainsKey("pool") && firing[0].Labels?.TryGetValue("pool", out var pool) == true) evidenceLabels["pool"] = pool;
        var (evidence, noEvidence) = EvidenceTarget.Resolve(evidenceLabels, options.Value.Evidence);
        var annotations = body.CommonAnnotations ?? firing[0].Annotations ?? [];
        var title = Title(labels, annotations, firing[0]);
        var faultStart = firing.Min(a => Microseconds(a.StartsAt));

        var row = await conn.QuerySingleAsync<IncidentRow>(new CommandDefinition(
            """
            INSERT INTO incidents (group_key, status, title, receiver, labels, annotations, fault_started_at, opened_at, evidence_state, evidence_url, evidence_due_at, updated_at)
            VALUES (@groupKey, 'triggered', @title, @receiver, @labels::jsonb, @annotations::jsonb, @faultStart, @now, @state, @url, @due, @now)
            RETURNING *
            """,
            new
            {
                groupKey = body.GroupKey, title, receiver = body.Receiver ?? "", labels = JsonSerializer.Serialize(labels),
                annotations = JsonSerializer.Serialize(annotations), faultStart, now,
                state = evidence is null ? "none" : "pending", url = evidence?.ToString(), due = evidence is null ? (DateTime?)null : now,
            }, tx, cancellationToken: ct));
        var names = string.Join(", ", firing.Take(5).Select(AlertName)) + (firing.Count > 5 ? $" and {firing.Count - 5} more" : "");
        await Timeline.AddAsync(conn, tx, row.Id, now, TimelineKind.Opened, Actor,
            $"Opened by Alertmanager ({body.Receiver}): {firing.Count} alert(s) firing: {names}. Firing since {faultStart:yyyy-MM-dd HH:mm:ss} UTC.",
            JsonSerializer.Serialize(new { group_key = body.GroupKey, fingerprints = firing.Select(a => a.Fingerprint) }), ct);
        if (noEvidence is not null) await Timeline.AddAsync(conn, tx, row.Id, now, TimelineKind.EvidenceFailed, "lifeguard", noEvidence, null, ct);
        await Audit.AddAsync(conn, tx, now, Actor, "alertmanager", "open", row.Id, title, ct);
        return row;
    }

    private static async Task ReopenAsync(NpgsqlConnection conn, NpgsqlTransaction tx, IncidentRow incident, IntakePlan plan, DateTime now, CancellationToken ct)
    {
        await conn.ExecuteAsync(new CommandDefinition(
            """
            UPDATE incidents SET status = 'triggered', resolved_at = NULL, resolved_by = NULL, reopen_count = reopen_count + 1,
                   evidence_state = CASE WHEN evidence_url IS NULL THEN 'none' ELSE 'pending' END, evidence_attempts = 0,
                   evidence_due_at = CASE WHEN evidence_url IS NULL THEN NULL ELSE @now END, updated_at = @now
            WHERE id = @id
            """, new { now, id = incident.Id }, tx, cancellationToken: ct));
        incident.Status = IncidentStatus.Triggered;
        incident.ReopenCount++;
        await Timeline.AddAsync(conn, tx, incident.Id, now, TimelineKind.Reopened, Actor,
            $"Re-opened (reopen #{incident.ReopenCount}): the group fired again {(now - incident.ResolvedAt!.Value).TotalSeconds:0} s after it resolved ({string.Join(", ", plan.Firing.Take(5).Select(AlertName))}).", null, ct);
        await Audit.AddAsync(conn, tx, now, Actor, "alertmanager", "reopen", incident.Id, $"reopen #{incident.ReopenCount}", ct);
    }

    private static async Task UpsertAlertsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long id, IntakePlan plan, CancellationToken ct)
    {
        const string upsert = """
            INSERT INTO incident_alerts (incident_id, fingerprint, status, starts_at, ends_at, labels, annotations, generator_url)
            VALUES (@id, @fingerprint, @status, @starts, @ends, @labels::jsonb, @annotations::jsonb, @url)
            ON CONFLICT (incident_id, fingerprint) DO UPDATE SET status = excluded.status, starts_at = excluded.starts_at,
                ends_at = excluded.ends_at, labels = excluded.labels, annotations = excluded.annotations, generator_url = excluded.generator_url
            """;
        var rows = plan.Firing.Concat(plan.Resolved).Concat(plan.JoinedResolved).Select(a => new
        {
            id, fingerprint = a.Fingerprint, status = a.Status, starts = Microseconds(a.StartsAt),
            ends = a.Status == "resolved" && a.EndsAt.Year > 1 ? Microseconds(a.EndsAt) : (DateTime?)null,
            labels = JsonSerializer.Serialize(a.Labels ?? []), annotations = JsonSerializer.Serialize(a.Annotations ?? []), url = a.GeneratorUrl,
        }).ToList();
        if (rows.Count > 0) await conn.ExecuteAsync(new CommandDefinition(upsert, rows, tx, cancellationToken: ct));
        if (plan.ResolvedUnlisted.Count > 0)
        {
            await conn.ExecuteAsync(new CommandDefinition(
                "UPDATE incident_alerts SET status = 'resolved', ends_at = now() WHERE incident_id = @id AND fingerprint = ANY(@fps)",
                new { id, fps = plan.ResolvedUnlisted.ToArray() }, tx, cancellationToken: ct));
        }
    }

    private static async Task WriteAlertEventsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long id, IntakePlan plan, DateTime now, CancellationToken ct)
    {
        var events = plan.Firing.Select(a => (TimelineKind.AlertFiring, $"Alert firing: {AlertName(a)} (since {Microseconds(a.StartsAt):HH:mm:ss} UTC){Summary(a)}"))
            .Concat(plan.Resolved.Concat(plan.JoinedResolved).Select(a => (TimelineKind.AlertResolved, $"Alert resolved: {AlertName(a)}{Ended(a)}")))
            .Concat(plan.ResolvedUnlisted.Select(fp => (TimelineKind.AlertResolved, $"Alert resolved: {fp} (the group resolved)")))
            .ToList();
        foreach (var (kind, message) in events.Take(MaxTimelineEntriesPerBody))
        {
            await Timeline.AddAsync(conn, tx, id, now, kind, Actor, message, null, ct);
        }

        if (events.Count > MaxTimelineEntriesPerBody)
        {
            await Timeline.AddAsync(conn, tx, id, now, TimelineKind.AlertFiring, Actor, $"... and {events.Count - MaxTimelineEntriesPerBody} more alert change(s) in this notification.", null, ct);
        }
    }

    private static string Title(Dictionary<string, string> labels, Dictionary<string, string> annotations, WebhookAlert first)
    {
        var title = annotations.GetValueOrDefault("summary")
            ?? first.Annotations?.GetValueOrDefault("summary")
            ?? string.Join(" ", new[] { labels.GetValueOrDefault("alertname"), labels.GetValueOrDefault("pool") }.Where(s => !string.IsNullOrEmpty(s)));
        if (string.IsNullOrWhiteSpace(title)) title = "Alert group " + first.Fingerprint;
        return title.Length > 300 ? title[..300] : title;
    }

    private static string AlertName(WebhookAlert a)
    {
        var name = a.Labels?.GetValueOrDefault("alertname") ?? a.Fingerprint!;
        var pool = a.Labels?.GetValueOrDefault("pool");
        return string.IsNullOrEmpty(pool) ? name : $"{name} (pool {pool})";
    }

    private static string Summary(WebhookAlert a) =>
        a.Annotations?.GetValueOrDefault("summary") is { Length: > 0 } s ? ": " + s : "";

    private static string Ended(WebhookAlert a) => a.EndsAt.Year > 1 ? $" at {Microseconds(a.EndsAt):HH:mm:ss} UTC" : "";

    // PostgreSQL keeps microseconds, Alertmanager sends nanoseconds: compare what is stored.
    internal static DateTime Microseconds(DateTimeOffset t)
    {
        var u = t.UtcDateTime;
        return new DateTime(u.Ticks - (u.Ticks % 10), DateTimeKind.Utc);
    }
}
