using System.Data.Common;
using System.Text.Json;
using Dapper;
using Incidents.Domain;
using Incidents.Measures;
using Incidents.Views;

namespace Incidents.Data;

/// <summary>Reads incidents, their alerts, timelines and the audit trail.</summary>
public sealed class IncidentQueries(DbDataSource db)
{
    /// <summary>
    /// Incidents, newest first; <paramref name="open"/> true = not resolved, false = resolved, null = all; with
    /// <paramref name="groupKey"/> only that alert group's (a sender that lost the intake's answer finds its incident).
    /// </summary>
    public async Task<IReadOnlyList<IncidentView>> ListAsync(bool? open, int limit, CancellationToken ct, string? groupKey = null, long? beforeId = null)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var where = open switch { true => "WHERE status <> @resolved", false => "WHERE status = @resolved", null => "WHERE true" };
        if (groupKey is not null) where += " AND group_key = @groupKey";
        if (beforeId is not null) where += " AND id < @beforeId";
        var rows = await conn.QueryAsync<IncidentRow>(new CommandDefinition(
            $"SELECT * FROM incidents {where} ORDER BY id DESC LIMIT @limit", new { limit, groupKey, beforeId, resolved = SqlNames.Of(IncidentStatus.Resolved) }, cancellationToken: ct));
        return rows.Select(r => ToView(r, null, null)).ToList();
    }

    /// <summary>How many alerts and timeline entries one incident shows inline; the rest are paged (<see cref="AlertsAsync"/>, <see cref="TimelineAsync"/>).</summary>
    public const int InlineAlerts = 100;

    /// <summary>Timeline entries shown inline (the newest), in time order.</summary>
    public const int InlineTimeline = 500;

    /// <summary>A page of an incident's alerts in start order, or null when there is no such incident.</summary>
    public async Task<PageView<AlertView>?> AlertsAsync(long id, int limit, int offset, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var total = await conn.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT (SELECT count(*) FROM incident_alerts WHERE incident_id = @id) FROM incidents WHERE id = @id", new { id }, cancellationToken: ct));
        if (total is null) return null;
        var alerts = await conn.QueryAsync<AlertRow>(new CommandDefinition(
            "SELECT * FROM incident_alerts WHERE incident_id = @id ORDER BY starts_at, fingerprint LIMIT @limit OFFSET @offset", new { id, limit, offset }, cancellationToken: ct));
        return new PageView<AlertView>(total.Value, offset, alerts.Select(ToView).ToList());
    }

    /// <summary>A page of an incident's timeline in time order, or null when there is no such incident.</summary>
    public async Task<PageView<TimelineView>?> TimelineAsync(long id, int limit, int offset, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var total = await conn.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT (SELECT count(*) FROM timeline WHERE incident_id = @id) FROM incidents WHERE id = @id", new { id }, cancellationToken: ct));
        if (total is null) return null;
        var rows = await conn.QueryAsync<TimelineRow>(new CommandDefinition(
            "SELECT * FROM timeline WHERE incident_id = @id ORDER BY at, id LIMIT @limit OFFSET @offset", new { id, limit, offset }, cancellationToken: ct));
        return new PageView<TimelineView>(total.Value, offset, rows.Select(ToView).ToList());
    }

    /// <summary>One incident with its alerts and timeline, or null.</summary>
    public async Task<IncidentView?> GetAsync(long id, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<IncidentRow>(new CommandDefinition("SELECT * FROM incidents WHERE id = @id", new { id }, cancellationToken: ct));
        if (row is null) return null;
        // bounded: the newest entries inline (in time order), the totals say whether to page for the rest
        var alerts = await conn.QueryAsync<AlertRow>(new CommandDefinition(
            "SELECT * FROM (SELECT * FROM incident_alerts WHERE incident_id = @id ORDER BY starts_at DESC, fingerprint DESC LIMIT @n) a ORDER BY starts_at, fingerprint",
            new { id, n = InlineAlerts }, cancellationToken: ct));
        var timeline = await conn.QueryAsync<TimelineRow>(new CommandDefinition(
            "SELECT * FROM (SELECT * FROM timeline WHERE incident_id = @id ORDER BY at DESC, id DESC LIMIT @n) t ORDER BY at, id",
            new { id, n = InlineTimeline }, cancellationToken: ct));
        var totals = await conn.QuerySingleAsync<(long Alerts, long Timeline)>(new CommandDefinition(
            "SELECT (SELECT count(*) FROM incident_alerts WHERE incident_id = @id), (SELECT count(*) FROM timeline WHERE incident_id = @id)",
            new { id }, cancellationToken: ct));
        return ToView(row, alerts.Select(ToView).ToList(), timeline.Select(ToView).ToList()) with { AlertsTotal = totals.Alerts, TimelineTotal = totals.Timeline };
    }

    private static AlertView ToView(AlertRow a) => new(a.Fingerprint, SqlNames.Of(a.Status), Utc(a.StartsAt), Utc(a.EndsAt), Dict(a.Labels), Dict(a.Annotations), a.GeneratorUrl);

    private static TimelineView ToView(TimelineRow t) => new(t.Id, Utc(t.At), t.Kind, t.Actor, t.Message);

    /// <summary>The audit trail, newest first, optionally for one incident.</summary>
    public async Task<IReadOnlyList<AuditView>> AuditAsync(long? incidentId, int limit, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<AuditRow>(new CommandDefinition(
            "SELECT * FROM audit_log WHERE @incidentId::bigint IS NULL OR incident_id = @incidentId ORDER BY id DESC LIMIT @limit",
            new { incidentId, limit }, cancellationToken: ct));
        return rows.Select(a => new AuditView(a.Id, Utc(a.At), a.Actor, a.Source, a.Action, a.IncidentId, a.Detail)).ToList();
    }

    private static IncidentView ToView(IncidentRow r, IReadOnlyList<AlertView>? alerts, IReadOnlyList<TimelineView>? timeline)
    {
        var m = IncidentMeasures.From(r.FaultStartedAt, r.OnsetAt, r.OpenedAt, r.AcknowledgedAt, r.ResolvedAt);
        JsonElement? diagnosis = null;
        if (r.Diagnosis is not null)
        {
            using var doc = JsonDocument.Parse(r.Diagnosis);
            diagnosis = doc.RootElement.Clone();
        }

        return new IncidentView(r.Id, SqlNames.Of(r.Status), r.Title, r.GroupKey, r.Receiver, Dict(r.Labels), Dict(r.Annotations),
            Utc(r.FaultStartedAt), Utc(r.OnsetAt), Utc(r.OpenedAt), Utc(r.AcknowledgedAt), r.AcknowledgedBy, Utc(r.ResolvedAt), r.ResolvedBy,
            Round(m.MttdSeconds), Round(m.MttaSeconds), Round(m.MttrSeconds), r.ReopenCount, r.TruncatedAlerts, SqlNames.Of(r.EvidenceState), diagnosis, alerts, timeline);
    }

    private static double? Round(double? s) => s is { } v ? Math.Round(v, 3) : null;

    private static Dictionary<string, string> Dict(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [];

    private static DateTimeOffset Utc(DateTime t) => new(DateTime.SpecifyKind(t, DateTimeKind.Utc));

    private static DateTimeOffset? Utc(DateTime? t) => t is { } v ? Utc(v) : null;
}
