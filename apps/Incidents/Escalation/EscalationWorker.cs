using System.Globalization;
using System.Text.Json;
using Dapper;
using Incidents.Data;
using Incidents.Evidence;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Incidents.Escalation;

/// <summary>
/// Runs due escalation steps and sends due deliveries. Both queues are tables in the service's database claimed with
/// FOR UPDATE SKIP LOCKED: a step is taken and its deliveries written in one transaction by exactly one replica, and a
/// delivery is sent by the one replica holding its row, so replicas never notify twice and a restart loses nothing (an
/// uncommitted step is simply due again).
/// </summary>
public sealed class EscalationWorker(
    NpgsqlDataSource db,
    Escalations escalations,
    NotificationSender sender,
    IOptions<IncidentsOptions> options,
    TimeProvider time,
    EscalationSignal signal,
    ILogger<EscalationWorker> logger) : BackgroundService
{
    private const string Actor = "escalation";

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await TryStepAsync(stoppingToken) | await TryDeliverAsync(stoppingToken))
                {
                }
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                logger.LogWarning("Escalation worker: the database is not reachable ({Message}); retrying", ex.Message);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            try
            {
                await signal.WaitAsync(options.Value.Escalation.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private sealed class DueRow
    {
        public long IncidentId { get; set; }
        public string Policy { get; set; } = "";
        public string Snapshot { get; set; } = "";
        public int Run { get; set; }
        public string State { get; set; } = "";
        public int NextStep { get; set; }
        public string Repeats { get; set; } = "{}";
        public string Status { get; set; } = "";
    }

    /// <summary>Claims one due escalation and takes its steps up to the next wait; false when none was due.</summary>
    internal async Task<bool> TryStepAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        // The incident row is locked too, as acknowledge/resolve/intake lock it first and the escalation row second: an
        // incident someone is acting on right now is skipped this round instead of deadlocking (the step is short, no I/O).
        var row = await conn.QuerySingleOrDefaultAsync<DueRow>(new CommandDefinition(
            """
            SELECT e.incident_id, e.policy, e.snapshot::text AS snapshot, e.run, e.state, e.next_step, e.repeats::text AS repeats, i.status
            FROM escalations e JOIN incidents i ON i.id = e.incident_id
            WHERE e.due_at <= @now ORDER BY e.due_at LIMIT 1 FOR UPDATE OF e, i SKIP LOCKED
            """, new { now }, tx, cancellationToken: ct));
        if (row is null) return false;
        var policy = PolicySnapshot.Read(row.Snapshot);
        var repeats = PolicySnapshot.ReadRepeats(row.Repeats);
        var run = row.Run;
        var next = row.NextStep;

        if (row.Status == IncidentStatus.Resolved)
        {
            await Escalations.ResolvedAsync(conn, tx, row.IncidentId, now, ct);
            await tx.CommitAsync(ct);
            return true;
        }

        if (row.State == "acknowledged")
        {
            if (row.Status != IncidentStatus.Acknowledged)
            {
                await conn.ExecuteAsync(new CommandDefinition("UPDATE escalations SET due_at = NULL WHERE incident_id = @id", new { id = row.IncidentId }, tx, cancellationToken: ct));
                await tx.CommitAsync(ct);
                return true;
            }

            // the acknowledgement timed out: back to triggered, and the policy starts over (PagerDuty's behaviour)
            await conn.ExecuteAsync(new CommandDefinition(
                "UPDATE incidents SET status = 'triggered', updated_at = @now WHERE id = @id", new { now, id = row.IncidentId }, tx, cancellationToken: ct));
            await Timeline.AddAsync(conn, tx, row.IncidentId, now, TimelineKind.Retriggered, Actor,
                $"Acknowledged but not resolved within {policy.AckTimeoutMinutes?.ToString("0.##", CultureInfo.InvariantCulture)} min: triggered again; escalation '{policy.Name}' starts over.", null, ct);
            await Audit.AddAsync(conn, tx, now, Actor, "escalation", "retrigger", row.IncidentId, "acknowledgement timeout", ct);
            run++;
            next = 0;
            repeats = [];
        }
        else if (row.State != "running")
        {
            await conn.ExecuteAsync(new CommandDefinition("UPDATE escalations SET due_at = NULL WHERE incident_id = @id", new { id = row.IncidentId }, tx, cancellationToken: ct));
            await tx.CommitAsync(ct);
            return true;
        }

        var advance = EscalationMachine.Run(policy, next, repeats);
        var wrote = false;
        foreach (var t in advance.Steps)
        {
            wrote |= await TakeAsync(conn, tx, row.IncidentId, run, policy, t, now, ct);
        }

        DateTime? due = advance.WaitMinutes is { } w ? now + options.Value.Escalation.MinuteLength * w : null;
        await conn.ExecuteAsync(new CommandDefinition(
            """
            UPDATE escalations SET run = @run, state = @state, next_step = @next, repeats = @repeats::jsonb, due_at = @due, updated_at = @now
            WHERE incident_id = @id
            """, new
            {
                run, state = advance.Finished ? "finished" : "running", next = advance.NextStep,
                repeats = PolicySnapshot.WriteRepeats(advance.Repeats), due, now, id = row.IncidentId,
            }, tx, cancellationToken: ct));
        if (advance.Finished)
        {
            await Timeline.AddAsync(conn, tx, row.IncidentId, now, TimelineKind.EscalationStopped, Actor,
                $"Escalation '{policy.Name}' has no step left; the incident stays {row.Status} until someone acknowledges or resolves it.", null, ct);
        }

        await tx.CommitAsync(ct);
        if (wrote) signal.Wake();
        return true;
    }

    // One step: a timeline entry, and for notify steps the deliveries. True when a delivery was written.
    private async Task<bool> TakeAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long id, int run, EscalationPolicy policy, EscalationMachine.Taken t, DateTime now, CancellationToken ct)
    {
        var label = $"Step {t.Index + 1} of '{policy.Name}' (line {t.Step.Line}): {t.Note}";
        if (t.Step.Kind is StepKind.Wait or StepKind.Repeat)
        {
            await Timeline.AddAsync(conn, tx, id, now, t.Skipped ? TimelineKind.EscalationSkipped : TimelineKind.EscalationStep, Actor, label + ".", null, ct);
            return false;
        }

        var config = escalations.Config;
        (ChannelKind Kind, string Target, string Destination)? delivery = null;
        string? problem = null;
        switch (t.Step.Kind)
        {
            case StepKind.NotifyChannel:
                if (config.Channels.TryGetValue(t.Step.Target!, out var ch))
                {
                    delivery = (ch.Kind, ch.Name, ch.Kind == ChannelKind.Email ? string.Join(",", ch.To) : ch.Url!.ToString());
                }
                else
                {
                    problem = $"channel '{t.Step.Target}' is no longer in the policy file";
                }

                break;
            case StepKind.NotifyUser:
                if (config.Users.TryGetValue(t.Step.Target!, out var u)) delivery = (ChannelKind.Email, u.Name, u.Email);
                else problem = $"user '{t.Step.Target}' is no longer in the policy file";
                break;
            case StepKind.NotifySchedule:
                if (!config.Schedules.TryGetValue(t.Step.Target!, out var s))
                {
                    problem = $"schedule '{t.Step.Target}' is no longer in the policy file";
                }
                else if (s.OnCallAt(new DateTimeOffset(now, TimeSpan.Zero)) is not { } who)
                {
                    await Timeline.AddAsync(conn, tx, id, now, TimelineKind.EscalationSkipped, Actor, $"{label}: skipped, nobody is on call.", null, ct);
                    return false;
                }
                else if (config.Users.TryGetValue(who, out var onCall))
                {
                    delivery = (ChannelKind.Email, onCall.Name, onCall.Email);
                    label += $" ({who} is on call)";
                }
                else
                {
                    problem = $"on-call user '{who}' is not in users";
                }

                break;
        }

        if (delivery is not { } d)
        {
            await Timeline.AddAsync(conn, tx, id, now, TimelineKind.EscalationFailed, Actor, $"{label}: failed, {problem}.", null, ct);
            return false;
        }

        await conn.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO deliveries (incident_id, run, step, kind, target, destination, status, due_at, created_at)
            VALUES (@id, @run, @step, @kind, @target, @destination, 'pending', @now, @now)
            """, new { id, run, step = t.Index + 1, kind = KindName(d.Kind), target = d.Target, destination = d.Destination, now }, tx, cancellationToken: ct));
        await Timeline.AddAsync(conn, tx, id, now, TimelineKind.EscalationStep, Actor, $"{label}: {KindName(d.Kind)} to {d.Target}.", null, ct);
        return true;
    }

    private sealed class DeliveryRow
    {
        public long Id { get; set; }
        public long IncidentId { get; set; }
        public int Step { get; set; }
        public string Kind { get; set; } = "";
        public string Target { get; set; } = "";
        public string Destination { get; set; } = "";
        public int Attempts { get; set; }
        public string Status { get; set; } = "";
        public string Title { get; set; } = "";
        public string Labels { get; set; } = "{}";
        public string? Diagnosis { get; set; }
        public string? Policy { get; set; }
    }

    /// <summary>Claims one due delivery and sends it, holding its row so no other replica sends it too; false when none was due.</summary>
    internal async Task<bool> TryDeliverAsync(CancellationToken ct)
    {
        var opts = options.Value.Escalation;
        var now = time.GetUtcNow().UtcDateTime;
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var d = await conn.QuerySingleOrDefaultAsync<DeliveryRow>(new CommandDefinition(
            """
            SELECT d.id, d.incident_id, d.step, d.kind, d.target, d.destination, d.attempts, i.status, i.title, i.labels::text AS labels,
                   i.diagnosis::text AS diagnosis, e.policy
            FROM deliveries d JOIN incidents i ON i.id = d.incident_id LEFT JOIN escalations e ON e.incident_id = d.incident_id
            WHERE d.status = 'pending' AND d.due_at <= @now ORDER BY d.due_at, d.id LIMIT 1 FOR UPDATE OF d SKIP LOCKED
            """, new { now }, tx, cancellationToken: ct));
        if (d is null) return false;
        if (d.Status == IncidentStatus.Resolved)
        {
            await conn.ExecuteAsync(new CommandDefinition(
                "UPDATE deliveries SET status = 'cancelled', due_at = NULL, last_error = 'the incident was resolved' WHERE id = @Id", d, tx, cancellationToken: ct));
            await tx.CommitAsync(ct);
            return true;
        }

        DiagnosisSummary? diagnosis = null;
        if (d.Diagnosis is not null)
        {
            using var doc = JsonDocument.Parse(d.Diagnosis);
            diagnosis = DiagnosisSummary.From(doc.RootElement);
        }

        var kind = d.Kind switch { "slack" => ChannelKind.Slack, "email" => ChannelKind.Email, _ => ChannelKind.Webhook };
        var n = new Notification(d.IncidentId, d.Title, d.Status, JsonSerializer.Deserialize<Dictionary<string, string>>(d.Labels) ?? [], d.Policy ?? "", d.Step,
            diagnosis?.Cause, diagnosis?.Summary, diagnosis?.Remedy, new Uri(opts.PublicUrl, $"incidents/{d.IncidentId}"),
            $"incident-{d.IncidentId}-delivery-{d.Id}");
        var error = await sender.SendAsync(kind, d.Destination, n, ct);
        // once sent, record it even when the host is stopping: a graceful stop must not leave a sent message pending (only a
        // crash between the send and this commit can send it again, the at-least-once edge every outbox has)
        ct = CancellationToken.None;
        now = time.GetUtcNow().UtcDateTime;
        var attempt = d.Attempts + 1;
        // named, never addressed: a channel's URL is its secret, and this text is read by every viewer and the postmortem
        var where = kind == ChannelKind.Email ? $"e-mail to {d.Target}" : $"{d.Kind} {d.Target}";
        if (error is null)
        {
            await conn.ExecuteAsync(new CommandDefinition(
                "UPDATE deliveries SET status = 'sent', attempts = @attempt, due_at = NULL, sent_at = @now WHERE id = @id",
                new { attempt, now, id = d.Id }, tx, cancellationToken: ct));
            await Timeline.AddAsync(conn, tx, d.IncidentId, now, TimelineKind.DeliverySent, Actor, $"Sent {where} (step {d.Step}, attempt {attempt}).", null, ct);
        }
        else if (attempt >= opts.DeliveryAttempts)
        {
            await conn.ExecuteAsync(new CommandDefinition(
                "UPDATE deliveries SET status = 'failed', attempts = @attempt, due_at = NULL, last_error = @error WHERE id = @id",
                new { attempt, error, id = d.Id }, tx, cancellationToken: ct));
            await Timeline.AddAsync(conn, tx, d.IncidentId, now, TimelineKind.DeliveryFailed, Actor, $"Gave up on {where} after {attempt} attempt(s): {error}.", null, ct);
        }
        else
        {
            var delay = opts.RetryDelay * Math.Pow(2, attempt - 1);
            await conn.ExecuteAsync(new CommandDefinition(
                "UPDATE deliveries SET attempts = @attempt, due_at = @due, last_error = @error WHERE id = @id",
                new { attempt, due = now + delay, error, id = d.Id }, tx, cancellationToken: ct));
            await Timeline.AddAsync(conn, tx, d.IncidentId, now, TimelineKind.DeliveryFailed, Actor,
                $"Attempt {attempt} of {where} failed: {error}; retrying in {delay.TotalSeconds:0.#} s.", null, ct);
        }

        await tx.CommitAsync(ct);
        return true;
    }

    private static string KindName(ChannelKind k) => k switch { ChannelKind.Slack => "slack", ChannelKind.Email => "email", _ => "webhook" };
}
