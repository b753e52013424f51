using System.Text.Json;
using Incidents.Data;
using Incidents.Domain;
using Incidents.Evidence;
using Incidents.Workers;
using Microsoft.Extensions.Options;

namespace Incidents.Escalations;

/// <summary>
/// Runs due escalation steps and sends due deliveries. Both queues are tables in the service's database claimed with
/// FOR UPDATE SKIP LOCKED: a step is taken and its deliveries written in one transaction by exactly one replica, and a
/// delivery is sent by the one replica holding its row, so replicas never notify twice and a restart loses nothing (an
/// uncommitted step is simply due again).
/// </summary>
public sealed class EscalationWorker(
    IncidentsDatabase db,
    EscalationLifecycle escalation,
    IncidentChangeWriter writer,
    NotificationSender sender,
    IOptions<IncidentsOptions> options,
    TimeProvider time,
    WorkSignal<EscalationWorker> signal,
    ILogger<EscalationWorker> logger) : PollingWorker<EscalationWorker>(signal, logger)
{
    private const string Actor = IncidentStateMachine.Escalation;

    /// <inheritdoc />
    protected override TimeSpan PollInterval => options.Value.Escalation.PollInterval;

    /// <inheritdoc />
    protected override string Name => "Escalation worker";

    /// <inheritdoc />
    protected override async Task<bool> WorkOnceAsync(CancellationToken ct) => await TryStepAsync(ct) | await TryDeliverAsync(ct);

    /// <summary>Claims one due escalation and takes its steps up to the next wait; false when none was due.</summary>
    internal async Task<bool> TryStepAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var session = await db.BeginAsync(ct);
        var row = await session.Escalations.ClaimDueAsync(now, ct);
        if (row is null) return false;
        var policy = PolicySnapshot.Read(row.Snapshot);
        var repeats = PolicySnapshot.ReadRepeats(row.Repeats);
        var run = row.Run;
        var next = row.NextStep;

        if (row.Status == IncidentStatus.Resolved)
        {
            await EscalationLifecycle.ResolvedAsync(session, row.IncidentId, now, ct);
            await session.CommitAsync(ct);
            return true;
        }

        if (row.State == EscalationState.Acknowledged)
        {
            // the acknowledgement timed out: back to triggered, and the policy starts over (PagerDuty's behaviour)
            if (IncidentStateMachine.AcknowledgementTimedOut(row.Status, policy.Name, policy.AckTimeoutMinutes).Change is not { } retrigger)
            {
                await session.Escalations.ParkAsync(row.IncidentId, ct);
                await session.CommitAsync(ct);
                return true;
            }

            await writer.WriteAsync(session, row.IncidentId, "{}", retrigger, now, ct);
            row.Status = retrigger.To;
            run++;
            next = 0;
            repeats = [];
        }
        else if (row.State != EscalationState.Running)
        {
            await session.Escalations.ParkAsync(row.IncidentId, ct);
            await session.CommitAsync(ct);
            return true;
        }

        var advance = EscalationMachine.Run(policy, next, repeats);
        var wrote = false;
        foreach (var t in advance.Steps)
        {
            wrote |= await TakeAsync(session, row.IncidentId, run, policy, t, now, ct);
        }

        DateTime? due = advance.WaitMinutes is { } w ? now + options.Value.Escalation.MinuteLength * w : null;
        await session.Escalations.SaveAsync(row.IncidentId, run, advance.Finished ? EscalationState.Finished : EscalationState.Running, advance.NextStep,
            PolicySnapshot.WriteRepeats(advance.Repeats), due, now, ct);
        if (advance.Finished)
        {
            await session.Timeline.AddAsync(row.IncidentId, now, TimelineKind.EscalationStopped, Actor,
                $"Escalation '{policy.Name}' has no step left; the incident stays {SqlNames.Of(row.Status)} until someone acknowledges or resolves it.", ct);
        }

        await session.CommitAsync(ct);
        if (wrote) WakeSelf();
        return true;
    }

    // One step: a timeline entry, and for notify steps the deliveries. True when a delivery was written.
    private async Task<bool> TakeAsync(IncidentsSession session, long id, int run, EscalationPolicy policy, EscalationMachine.Taken t, DateTime now, CancellationToken ct)
    {
        var label = $"Step {t.Index + 1} of '{policy.Name}' (line {t.Step.Line}): {t.Note}";
        if (t.Step.Kind is StepKind.Wait or StepKind.Repeat)
        {
            await session.Timeline.AddAsync(id, now, t.Skipped ? TimelineKind.EscalationSkipped : TimelineKind.EscalationStep, Actor, label + ".", ct);
            return false;
        }

        var config = escalation.Config;
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
                    await session.Timeline.AddAsync(id, now, TimelineKind.EscalationSkipped, Actor, $"{label}: skipped, nobody is on call.", ct);
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
            await session.Timeline.AddAsync(id, now, TimelineKind.EscalationFailed, Actor, $"{label}: failed, {problem}.", ct);
            return false;
        }

        await session.Deliveries.AddAsync(id, run, t.Index + 1, d.Kind, d.Target, d.Destination, now, ct);
        await session.Timeline.AddAsync(id, now, TimelineKind.EscalationStep, Actor, $"{label}: {SqlNames.Of(d.Kind)} to {d.Target}.", ct);
        return true;
    }

    /// <summary>Claims one due delivery and sends it, holding its row so no other replica sends it too; false when none was due.</summary>
    internal async Task<bool> TryDeliverAsync(CancellationToken ct)
    {
        var opts = options.Value.Escalation;
        var now = time.GetUtcNow().UtcDateTime;
        await using var session = await db.BeginAsync(ct);
        var d = await session.Deliveries.ClaimDueAsync(now, ct);
        if (d is null) return false;
        if (d.Status == IncidentStatus.Resolved)
        {
            await session.Deliveries.CancelAsync(d.Id, ct);
            await session.CommitAsync(ct);
            return true;
        }

        DiagnosisSummary? diagnosis = null;
        if (d.Diagnosis is not null)
        {
            using var doc = JsonDocument.Parse(d.Diagnosis);
            diagnosis = DiagnosisSummary.From(doc.RootElement);
        }

        var n = new Notification(d.IncidentId, d.Title, SqlNames.Of(d.Status), JsonSerializer.Deserialize<Dictionary<string, string>>(d.Labels) ?? [], d.Policy ?? "", d.Step,
            diagnosis?.Cause, diagnosis?.Summary, diagnosis?.Remedy, new Uri(opts.PublicUrl, $"incidents/{d.IncidentId}"),
            $"incident-{d.IncidentId}-delivery-{d.Id}");
        var error = await sender.SendAsync(d.Kind, d.Destination, n, ct);
        // once sent, record it even when the host is stopping: a graceful stop must not leave a sent message pending (only a
        // crash between the send and this commit can send it again, the at-least-once edge every outbox has)
        ct = CancellationToken.None;
        now = time.GetUtcNow().UtcDateTime;
        var attempt = d.Attempts + 1;
        // named, never addressed: a channel's URL is its secret, and this text is read by every viewer and the postmortem
        var where = d.Kind == ChannelKind.Email ? $"e-mail to {d.Target}" : $"{SqlNames.Of(d.Kind)} {d.Target}";
        if (error is null)
        {
            await session.Deliveries.SentAsync(d.Id, attempt, now, ct);
            await session.Timeline.AddAsync(d.IncidentId, now, TimelineKind.DeliverySent, Actor, $"Sent {where} (step {d.Step}, attempt {attempt}).", ct);
        }
        else if (attempt >= opts.DeliveryAttempts)
        {
            await session.Deliveries.FailedAsync(d.Id, attempt, error, ct);
            await session.Timeline.AddAsync(d.IncidentId, now, TimelineKind.DeliveryFailed, Actor, $"Gave up on {where} after {attempt} attempt(s): {error}.", ct);
        }
        else
        {
            var delay = opts.RetryDelay * Math.Pow(2, attempt - 1);
            await session.Deliveries.RetryAtAsync(d.Id, attempt, now + delay, error, ct);
            await session.Timeline.AddAsync(d.IncidentId, now, TimelineKind.DeliveryFailed, Actor,
                $"Attempt {attempt} of {where} failed: {error}; retrying in {delay.TotalSeconds:0.#} s.", ct);
        }

        await session.CommitAsync(ct);
        return true;
    }
}
