using System.Globalization;
using System.Text.Json;
using Dapper;
using Incidents.Data;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Incidents.Escalation;

/// <summary>
/// The state machine's hooks into escalation, each inside the caller's transaction: an incident that opens or re-opens starts
/// (or restarts) its policy, an acknowledgement pauses it until the policy's ack timeout, resolving stops it and cancels
/// pending deliveries.
/// </summary>
public sealed class Escalations(EscalationConfig config, IOptions<IncidentsOptions> options, EscalationSignal signal)
{
    private const string Actor = "escalation";

    /// <summary>The policy file in use.</summary>
    public EscalationConfig Config => config;

    /// <summary>Starts the routed policy for an incident that opened or re-opened; nothing when no route or default applies.</summary>
    internal async Task StartAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long incidentId, string labelsJson, DateTime now, CancellationToken ct)
    {
        var labels = JsonSerializer.Deserialize<Dictionary<string, string>>(labelsJson) ?? [];
        var policy = config.Route(labels);
        if (policy is null) return;
        await conn.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO escalations (incident_id, policy, snapshot, state, next_step, repeats, due_at, updated_at)
            VALUES (@incidentId, @name, @snapshot::jsonb, 'running', 0, '{}', @now, @now)
            ON CONFLICT (incident_id) DO UPDATE SET policy = excluded.policy, snapshot = excluded.snapshot, run = escalations.run + 1,
                state = 'running', next_step = 0, repeats = '{}', due_at = excluded.due_at, updated_at = excluded.updated_at
            """, new { incidentId, name = policy.Name, snapshot = PolicySnapshot.Write(policy), now }, tx, cancellationToken: ct));
        var route = config.Routes.FirstOrDefault(r => r.Matches(labels));
        await Timeline.AddAsync(conn, tx, incidentId, now, TimelineKind.EscalationStarted, Actor,
            $"Escalation policy '{policy.Name}' started ({(route is null ? "default policy" : "route " + string.Join(", ", route.Match.Select(m => $"{m.Key}={m.Value}")))}; {policy.Steps.Count} step(s)" +
            (policy.AckTimeoutMinutes is { } a ? $", acknowledgement timeout {a.ToString("0.##", CultureInfo.InvariantCulture)} min)." : ")."),
            null, ct);
    }

    /// <summary>Wakes this replica's worker; call after the transaction that started an escalation committed (before, it would find nothing).</summary>
    public void Wake() => signal.Wake();

    /// <summary>Pauses escalation; with an ack timeout the incident is triggered again then unless resolved.</summary>
    internal async Task AcknowledgedAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long incidentId, DateTime now, CancellationToken ct)
    {
        var snapshot = await conn.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT snapshot::text FROM escalations WHERE incident_id = @incidentId AND state IN ('running', 'finished') FOR UPDATE",
            new { incidentId }, tx, cancellationToken: ct));
        if (snapshot is null) return;
        var policy = PolicySnapshot.Read(snapshot);
        DateTime? due = policy.AckTimeoutMinutes is { } m ? now + options.Value.Escalation.MinuteLength * m : null;
        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE escalations SET state = 'acknowledged', due_at = @due, updated_at = @now WHERE incident_id = @incidentId",
            new { due, now, incidentId }, tx, cancellationToken: ct));
        await Timeline.AddAsync(conn, tx, incidentId, now, TimelineKind.EscalationStopped, Actor,
            due is null
                ? $"Escalation '{policy.Name}' paused: acknowledged (the policy has no acknowledgement timeout)."
                : $"Escalation '{policy.Name}' paused: acknowledged; unless resolved, the incident is triggered again at {due:yyyy-MM-dd HH:mm:ss} UTC ({policy.AckTimeoutMinutes!.Value.ToString("0.##", CultureInfo.InvariantCulture)} min).",
            null, ct);
    }

    /// <summary>Stops escalation and cancels deliveries not yet sent.</summary>
    /// <remarks>A delivery a worker is sending right now holds its row (and waits for this transaction's incident lock to write
    /// its timeline entry), so it is skipped, not waited for: it goes out, everything after it does not.</remarks>
    internal static async Task ResolvedAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long incidentId, DateTime now, CancellationToken ct)
    {
        var policy = await conn.ExecuteScalarAsync<string?>(new CommandDefinition(
            "UPDATE escalations SET state = 'stopped', due_at = NULL, updated_at = @now WHERE incident_id = @incidentId AND state <> 'stopped' RETURNING policy",
            new { now, incidentId }, tx, cancellationToken: ct));
        if (policy is null) return;
        var cancelled = await conn.ExecuteAsync(new CommandDefinition(
            """
            UPDATE deliveries SET status = 'cancelled', due_at = NULL, last_error = 'the incident was resolved'
            WHERE id IN (SELECT id FROM deliveries WHERE incident_id = @incidentId AND status = 'pending' FOR UPDATE SKIP LOCKED)
            """,
            new { incidentId }, tx, cancellationToken: ct));
        await Timeline.AddAsync(conn, tx, incidentId, now, TimelineKind.EscalationStopped, Actor,
            $"Escalation '{policy}' stopped: resolved" + (cancelled > 0 ? $"; {cancelled} notification(s) not yet sent were cancelled." : "."), null, ct);
    }
}
