using System.Text.Json;
using Incidents.Data;
using Incidents.Domain;
using Incidents.Escalations;
using Incidents.Evidence;
using Incidents.Workers;
using Lifeguard.Contracts.Alertmanager;
using Microsoft.Extensions.Options;

namespace Incidents.Intake;

/// <summary>
/// Turns Alertmanager notifications into incidents. Idempotent: Alertmanager re-sends every group each group_interval and
/// repeat_interval and retries failures, so the state of each alert (fingerprint + startsAt) decides what is new, never the
/// arrival of a body. One transaction per body, serialised per group by an advisory lock, so replicas never race.
/// </summary>
public sealed class IntakeService(
    IncidentsDatabase db,
    IOptions<IncidentsOptions> options,
    TimeProvider time,
    WorkSignal<EvidenceWorker> evidenceSignal,
    EscalationLifecycle escalation,
    IncidentChangeWriter writer,
    ILogger<IntakeService> logger)
{
    private const int MaxTimelineEntriesPerBody = 20;
    private const string Actor = IncidentStateMachine.Alertmanager;

    /// <summary>Applies one (validated) webhook body.</summary>
    public async Task<IntakeResult> ReceiveAsync(AlertmanagerWebhook body, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(body);
        var groupKey = body.GroupKey!;
        var now = time.GetUtcNow().UtcDateTime;
        var groupResolvedByAlertmanager = body.Status == AlertmanagerStatus.Resolved;
        // one entry per fingerprint; the last one in the body wins
        var alerts = body.Alerts!.GroupBy(a => a.Fingerprint!).Select(g => g.Last()).ToList();

        await using var session = await db.OpenAsync(ct);
        // Fast path for the common case, a re-send: read without lock or transaction; a body that changes nothing against
        // this state would change nothing against any later one (later state only makes the body staler), so answering
        // "unchanged" is safe. Anything else takes the locked path below and is classified again there.
        if (IsResend(await session.Incidents.LatestOfGroupAsync(groupKey, ct), alerts, body) is { } resent) return new IntakeResult(IntakeOutcome.Unchanged, resent);

        await session.BeginAsync(ct);
        await session.Incidents.LockGroupAsync(groupKey, ct);
        var (incident, latestAlerts) = await session.Incidents.LatestOfGroupAsync(groupKey, ct);

        var opts = options.Value;
        var joins = incident is not null && IncidentStateMachine.Joins(incident.Status, incident.ResolvedAt, now, opts.ReopenWindow);
        var known = joins ? latestAlerts : [];
        // bounded per incident: alerts it already has, then new ones newest first up to the cap; the rest only counted
        var (kept, overflow) = CapAlerts(alerts, known, opts.Intake.MaxAlertsPerIncident);
        var plan = Classify(kept, known, groupResolvedByAlertmanager);

        IntakeOutcome outcome;
        if (!joins)
        {
            if (plan.Firing.Count == 0)
            {
                await session.CommitAsync(ct);
                return new IntakeResult(IntakeOutcome.Ignored, null);
            }

            incident = await OpenAsync(session, body, kept, now, ct);
            outcome = IntakeOutcome.Opened;
        }
        else if (incident!.Status == IncidentStatus.Resolved)
        {
            if (plan.Firing.Count == 0)
            {
                // late resolves or re-sends for a closed incident: keep the alerts' state, nothing else
                await StoreAlertsAsync(session, incident.Id, plan, ct);
                await session.CommitAsync(ct);
                return new IntakeResult(IntakeOutcome.Unchanged, incident.Id);
            }

            var reopen = IncidentStateMachine.Reopen(incident.Status, incident.ReopenCount, incident.ResolvedAt!.Value, now, plan.Firing.Select(AlertName));
            await writer.WriteAsync(session, incident.Id, incident.Labels, reopen.Change!, now, ct);
            incident.Status = reopen.Change!.To;
            incident.ReopenCount++;
            outcome = IntakeOutcome.Reopened;
        }
        else
        {
            outcome = plan.Changed ? IntakeOutcome.Updated : IntakeOutcome.Unchanged;
        }

        await StoreAlertsAsync(session, incident.Id, plan, ct);
        if (outcome != IntakeOutcome.Opened)
        {
            await WriteAlertEventsAsync(session, incident.Id, plan, now, ct);
        }

        if (body.TruncatedAlerts != incident.TruncatedAlerts)
        {
            await session.Incidents.SetTruncatedAsync(incident.Id, body.TruncatedAlerts, now, ct);
            if (body.TruncatedAlerts > 0)
            {
                await session.Timeline.AddAsync(incident.Id, now, TimelineKind.Truncated, Actor,
                    $"Alertmanager left {body.TruncatedAlerts} alert(s) of this group out of the notification (max_alerts); the incident stays open until the group resolves.", ct);
            }

            if (outcome == IntakeOutcome.Unchanged) outcome = IntakeOutcome.Updated;
        }

        if (overflow > incident.AlertsOverflow)
        {
            await session.Incidents.SetOverflowAsync(incident.Id, overflow, now, ct);
            await session.Timeline.AddAsync(incident.Id, now, TimelineKind.Truncated, Actor,
                $"{overflow} alert(s) of this group beyond the {opts.Intake.MaxAlertsPerIncident} this incident keeps were counted, not stored (Incidents:Intake:MaxAlertsPerIncident).", ct);
        }

        // Resolved when no alert of the group still fires. With truncation (Alertmanager's or the cap's) the stored alerts
        // are not all of them, so then only Alertmanager's group status can say the whole group resolved.
        var stillFiring = StillFiring(known, plan);
        var groupResolved = stillFiring == 0 && ((body.TruncatedAlerts == 0 && overflow == 0) || groupResolvedByAlertmanager);
        if (groupResolved && IncidentStateMachine.AlertsResolved(incident.Status).Change is { } resolve)
        {
            await writer.WriteAsync(session, incident.Id, incident.Labels, resolve, now, ct);
            outcome = IntakeOutcome.Resolved;
        }

        await session.CommitAsync(ct);
        if (outcome is IntakeOutcome.Opened or IntakeOutcome.Reopened)
        {
            evidenceSignal.Wake();
            escalation.Wake();
        }
        if (outcome != IntakeOutcome.Unchanged)
        {
            logger.LogInformation("Incident {IncidentId}: {Outcome} by a notification for group {GroupKey}", incident.Id, outcome, Lifeguard.Kit.SafeText.Printable(groupKey));
        }

        return new IntakeResult(outcome, incident.Id);
    }

    private static long? IsResend((IncidentRow? Incident, Dictionary<string, AlertRow> Alerts) latest, List<AlertmanagerAlert> alerts, AlertmanagerWebhook body)
    {
        var (incident, known) = latest;
        if (incident is null || incident.Status == IncidentStatus.Resolved || incident.TruncatedAlerts != body.TruncatedAlerts) return null;
        var plan = Classify(alerts, known, body.Status == AlertmanagerStatus.Resolved);
        return plan.Changed || StillFiring(known, plan) == 0 ? null : incident.Id;
    }

    internal static IntakePlan Classify(IReadOnlyList<AlertmanagerAlert> alerts, IReadOnlyDictionary<string, AlertRow> known, bool groupResolved)
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

            if (a.Status == AlertmanagerStatus.Firing)
            {
                if (k is null || starts > k.StartsAt) plan.Firing.Add(a);
                // same startsAt: a re-send while firing, or a late retry of a firing body after the resolve: no change
            }
            else if (k is null)
            {
                plan.JoinedResolved.Add(a);
            }
            else if (k.Status == AlertStatus.Firing)
            {
                plan.Resolved.Add(a);
            }
        }

        // Group resolved per Alertmanager: alerts it did not list (truncation) resolved too, unless this body is stale.
        if (groupResolved && !stale)
        {
            var listed = alerts.Select(a => a.Fingerprint!).ToHashSet(StringComparer.Ordinal);
            plan.ResolvedUnlisted.AddRange(known.Values.Where(k => k.Status == AlertStatus.Firing && !listed.Contains(k.Fingerprint)).Select(k => k.Fingerprint));
        }

        return plan;
    }

    // The alerts an incident takes from one body: every one it already holds, then unknown ones, newest first, while
    // there is room; the count of the others is all that is kept of them.
    internal static (List<AlertmanagerAlert> Kept, int Overflow) CapAlerts(List<AlertmanagerAlert> alerts, IReadOnlyDictionary<string, AlertRow> known, int max)
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
        var firing = known.Values.Where(k => k.Status == AlertStatus.Firing).Select(k => k.Fingerprint).ToHashSet(StringComparer.Ordinal);
        foreach (var a in plan.Resolved) firing.Remove(a.Fingerprint!);
        foreach (var fp in plan.ResolvedUnlisted) firing.Remove(fp);
        foreach (var a in plan.Firing) firing.Add(a.Fingerprint!);
        return firing.Count;
    }

    private async Task<IncidentRow> OpenAsync(IncidentsSession session, AlertmanagerWebhook body, List<AlertmanagerAlert> alerts, DateTime now, CancellationToken ct)
    {
        var labels = new Dictionary<string, string>(body.CommonLabels ?? [], StringComparer.Ordinal);
        foreach (var (k, v) in body.GroupLabels ?? []) labels[k] = v;
        var firing = alerts.Where(a => a.Status == AlertmanagerStatus.Firing).ToList();
        // a pool's instance may differ per alert; the first firing one decides where the evidence comes from
        var evidenceLabels = new Dictionary<string, string>(labels, StringComparer.Ordinal);
        if (!evidenceLabels.ContainsKey("instance") && firing[0].Labels?.TryGetValue("instance", out var inst) == true) evidenceLabels["instance"] = inst;
        if (!evidenceLabels.ContainsKey("pool") && firing[0].Labels?.TryGetValue("pool", out var pool) == true) evidenceLabels["pool"] = pool;
        var annotations = body.CommonAnnotations ?? firing[0].Annotations ?? [];
        // a fleet alert names no one instance: its diagnosis comes from the first listed instance that is a target
        var fleet = FleetInstances.Parse(annotations.GetValueOrDefault(FleetInstances.Annotation)
            ?? firing[0].Annotations?.GetValueOrDefault(FleetInstances.Annotation));
        var (evidence, noEvidence) = EvidenceTarget.Resolve(evidenceLabels, options.Value.Evidence);
        if (evidence is null && fleet.Count > 0 && !evidenceLabels.ContainsKey("instance"))
        {
            (evidence, noEvidence) = FleetTarget(evidenceLabels, fleet);
        }

        var title = Title(labels, annotations, firing[0]);
        var faultStart = firing.Min(a => Microseconds(a.StartsAt));

        var open = IncidentStateMachine.Open(body.Receiver, body.GroupKey!, title, firing.Select(a => (a.Fingerprint!, AlertName(a))).ToList(), faultStart);
        var row = await session.Incidents.InsertAsync(
            new NewIncident(body.GroupKey!, title, body.Receiver ?? "", JsonSerializer.Serialize(labels), JsonSerializer.Serialize(annotations), faultStart, evidence),
            open, now, ct);
        await session.Timeline.AddAsync(row.Id, now, open.Timeline, ct);
        if (FleetInstances.Describe(fleet, labels.GetValueOrDefault("pool")) is { } fleetLine)
        {
            await session.Timeline.AddAsync(row.Id, now, TimelineKind.Evidence, "lifeguard", fleetLine, ct);
        }

        if (noEvidence is not null) await session.Timeline.AddAsync(row.Id, now, TimelineKind.EvidenceFailed, "lifeguard", noEvidence, ct);
        await session.Audit.AddAsync(now, open.Audit, row.Id, ct);
        await escalation.FollowAsync(session, row.Id, open, row.Labels, now, ct);
        return row;
    }

    // the first instance of the fleet's list (largest pool first) that is a configured evidence target
    private (Uri? Url, string? Reason) FleetTarget(Dictionary<string, string> labels, IReadOnlyList<(string Instance, double PoolMax)> fleet)
    {
        foreach (var (instance, _) in fleet)
        {
            var one = new Dictionary<string, string>(labels, StringComparer.Ordinal) { ["instance"] = instance };
            if (EvidenceTarget.Resolve(one, options.Value.Evidence) is { Url: not null } found) return found;
        }

        return EvidenceTarget.Resolve(labels, options.Value.Evidence) is { Reason: null } none ? none
            : (null, $"No diagnosis fetched: none of the fleet's {fleet.Count} instance(s) is a configured evidence target.");
    }

    private static async Task StoreAlertsAsync(IncidentsSession session, long id, IntakePlan plan, CancellationToken ct)
    {
        var rows = plan.Firing.Concat(plan.Resolved).Concat(plan.JoinedResolved).Select(a =>
        {
            var status = a.Status == AlertmanagerStatus.Firing ? AlertStatus.Firing : AlertStatus.Resolved;
            return new StoredAlert(a.Fingerprint!, status, Microseconds(a.StartsAt),
                status == AlertStatus.Resolved && a.EndsAt.Year > 1 ? Microseconds(a.EndsAt) : null,
                JsonSerializer.Serialize(a.Labels ?? []), JsonSerializer.Serialize(a.Annotations ?? []), a.GeneratorUrl);
        }).ToList();
        await session.Alerts.UpsertAsync(id, rows, ct);
        await session.Alerts.ResolveAsync(id, plan.ResolvedUnlisted, ct);
    }

    private static async Task WriteAlertEventsAsync(IncidentsSession session, long id, IntakePlan plan, DateTime now, CancellationToken ct)
    {
        var events = plan.Firing.Select(a => (TimelineKind.AlertFiring, $"Alert firing: {AlertName(a)} (since {Microseconds(a.StartsAt):HH:mm:ss} UTC){Summary(a)}"))
            .Concat(plan.Resolved.Concat(plan.JoinedResolved).Select(a => (TimelineKind.AlertResolved, $"Alert resolved: {AlertName(a)}{Ended(a)}")))
            .Concat(plan.ResolvedUnlisted.Select(fp => (TimelineKind.AlertResolved, $"Alert resolved: {fp} (the group resolved)")))
            .ToList();
        foreach (var (kind, message) in events.Take(MaxTimelineEntriesPerBody))
        {
            await session.Timeline.AddAsync(id, now, kind, Actor, message, ct);
        }

        if (events.Count > MaxTimelineEntriesPerBody)
        {
            await session.Timeline.AddAsync(id, now, TimelineKind.AlertFiring, Actor, $"... and {events.Count - MaxTimelineEntriesPerBody} more alert change(s) in this notification.", ct);
        }
    }

    private static string Title(Dictionary<string, string> labels, Dictionary<string, string> annotations, AlertmanagerAlert first)
    {
        var title = annotations.GetValueOrDefault("summary")
            ?? first.Annotations?.GetValueOrDefault("summary")
            ?? string.Join(" ", new[] { labels.GetValueOrDefault("alertname"), labels.GetValueOrDefault("pool") }.Where(s => !string.IsNullOrEmpty(s)));
        if (string.IsNullOrWhiteSpace(title)) title = "Alert group " + first.Fingerprint;
        return title.Length > 300 ? title[..300] : title;
    }

    private static string AlertName(AlertmanagerAlert a)
    {
        var name = a.Labels?.GetValueOrDefault("alertname") ?? a.Fingerprint!;
        var pool = a.Labels?.GetValueOrDefault("pool");
        return string.IsNullOrEmpty(pool) ? name : $"{name} (pool {pool})";
    }

    private static string Summary(AlertmanagerAlert a) =>
        a.Annotations?.GetValueOrDefault("summary") is { Length: > 0 } s ? ": " + s : "";

    private static string Ended(AlertmanagerAlert a) => a.EndsAt.Year > 1 ? $" at {Microseconds(a.EndsAt):HH:mm:ss} UTC" : "";

    // PostgreSQL keeps microseconds, Alertmanager sends nanoseconds: compare what is stored.
    internal static DateTime Microseconds(DateTimeOffset t)
    {
        var u = t.UtcDateTime;
        return new DateTime(u.Ticks - (u.Ticks % 10), DateTimeKind.Utc);
    }
}
