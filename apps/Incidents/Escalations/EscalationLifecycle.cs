using System.Globalization;
using System.Text.Json;
using Incidents.Data;
using Incidents.Domain;
using Incidents.Workers;
using Microsoft.Extensions.Options;

namespace Incidents.Escalations;

/// <summary>
/// Escalation's answers to the incident's status changes, each inside the caller's session: an incident that opens or re-opens
/// starts (or restarts) its policy, an acknowledgement pauses it until the policy's ack timeout, resolving stops it and cancels
/// pending deliveries.
/// </summary>
public sealed class EscalationLifecycle(EscalationConfig config, IOptions<IncidentsOptions> options, WorkSignal<EscalationWorker> signal)
{
    private const string Actor = IncidentStateMachine.Escalation;

    /// <summary>The policy file in use.</summary>
    public EscalationConfig Config => config;

    /// <summary>Answers a status change the caller just wrote (nothing for a retrigger: the worker restarts the policy itself).</summary>
    public Task FollowAsync(IncidentsSession session, long incidentId, IncidentChange change, string labelsJson, DateTime now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(change);
        return change.Transition switch
        {
            IncidentTransition.Open or IncidentTransition.Reopen => StartAsync(session, incidentId, labelsJson, now, ct),
            IncidentTransition.Acknowledge => AcknowledgedAsync(session, incidentId, now, ct),
            IncidentTransition.Resolve => ResolvedAsync(session, incidentId, now, ct),
            _ => Task.CompletedTask,
        };
    }

    /// <summary>Wakes this replica's worker; call after the transaction that started an escalation committed.</summary>
    public void Wake() => signal.Wake();

    // the routed policy for an incident that opened or re-opened; nothing when no route or default applies
    private async Task StartAsync(IncidentsSession session, long incidentId, string labelsJson, DateTime now, CancellationToken ct)
    {
        var labels = JsonSerializer.Deserialize<Dictionary<string, string>>(labelsJson) ?? [];
        var policy = config.Route(labels);
        if (policy is null) return;
        await session.Escalations.StartAsync(incidentId, policy.Name, PolicySnapshot.Write(policy), now, ct);
        var route = config.Routes.FirstOrDefault(r => r.Matches(labels));
        await session.Timeline.AddAsync(incidentId, now, TimelineKind.EscalationStarted, Actor,
            $"Escalation policy '{policy.Name}' started ({(route is null ? "default policy" : "route " + string.Join(", ", route.Match.Select(m => $"{m.Key}={m.Value}")))}; {policy.Steps.Count} step(s)" +
            (policy.AckTimeoutMinutes is { } a ? $", acknowledgement timeout {a.ToString("0.##", CultureInfo.InvariantCulture)} min)." : ")."), ct);
    }

    // paused; with an ack timeout the incident is triggered again then unless resolved
    private async Task AcknowledgedAsync(IncidentsSession session, long incidentId, DateTime now, CancellationToken ct)
    {
        var snapshot = await session.Escalations.ActiveSnapshotForUpdateAsync(incidentId, ct);
        if (snapshot is null) return;
        var policy = PolicySnapshot.Read(snapshot);
        DateTime? due = policy.AckTimeoutMinutes is { } m ? now + options.Value.Escalation.MinuteLength * m : null;
        await session.Escalations.AcknowledgeAsync(incidentId, due, now, ct);
        await session.Timeline.AddAsync(incidentId, now, TimelineKind.EscalationStopped, Actor,
            due is null
                ? $"Escalation '{policy.Name}' paused: acknowledged (the policy has no acknowledgement timeout)."
                : $"Escalation '{policy.Name}' paused: acknowledged; unless resolved, the incident is triggered again at {due:yyyy-MM-dd HH:mm:ss} UTC ({policy.AckTimeoutMinutes!.Value.ToString("0.##", CultureInfo.InvariantCulture)} min).",
            ct);
    }

    /// <summary>Stops escalation and cancels deliveries not yet sent.</summary>
    internal static async Task ResolvedAsync(IncidentsSession session, long incidentId, DateTime now, CancellationToken ct)
    {
        var policy = await session.Escalations.StopAsync(incidentId, now, ct);
        if (policy is null) return;
        var cancelled = await session.Deliveries.CancelPendingAsync(incidentId, ct);
        await session.Timeline.AddAsync(incidentId, now, TimelineKind.EscalationStopped, Actor,
            $"Escalation '{policy}' stopped: resolved" + (cancelled > 0 ? $"; {cancelled} notification(s) not yet sent were cancelled." : "."), ct);
    }
}
