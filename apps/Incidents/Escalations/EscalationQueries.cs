using System.Data.Common;
using Dapper;
using Incidents.Data;
using Incidents.Domain;
using Incidents.Views;

namespace Incidents.Escalations;

/// <summary>Reads an incident's escalation and the schedules' on-call for the API and the UI.</summary>
public sealed class EscalationQueries(DbDataSource db, EscalationLifecycle escalation)
{
    private sealed class Row
    {
        public string Policy { get; set; } = "";
        public string Snapshot { get; set; } = "";
        public EscalationState State { get; set; }
        public int Run { get; set; }
        public int NextStep { get; set; }
        public DateTime? DueAt { get; set; }
    }

    private sealed class DeliveryRow
    {
        public long Id { get; set; }
        public int Run { get; set; }
        public int Step { get; set; }
        public ChannelKind Kind { get; set; }
        public string Target { get; set; } = "";
        public DeliveryStatus Status { get; set; }
        public int Attempts { get; set; }
        public string? LastError { get; set; }
        public DateTime CreatedAt { get; set; }
        public DateTime? SentAt { get; set; }
    }

    /// <summary>The escalation of one incident, or null when none ran (no policy routed, or no policy file).</summary>
    public async Task<EscalationView?> GetAsync(long incidentId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            "SELECT policy, snapshot::text AS snapshot, state, run, next_step, due_at FROM escalations WHERE incident_id = @incidentId",
            new { incidentId }, cancellationToken: ct));
        if (row is null) return null;
        var deliveries = await conn.QueryAsync<DeliveryRow>(new CommandDefinition(
            "SELECT id, run, step, kind, target, status, attempts, last_error, created_at, sent_at FROM deliveries WHERE incident_id = @incidentId ORDER BY id",
            new { incidentId }, cancellationToken: ct));
        var policy = PolicySnapshot.Read(row.Snapshot);
        return new EscalationView(row.Policy, SqlNames.Of(row.State), row.Run, row.NextStep + 1, Utc(row.DueAt), policy.AckTimeoutMinutes,
            policy.Steps.Select(Describe).ToList(),
            deliveries.Select(d => new DeliveryView(d.Id, d.Run, d.Step, SqlNames.Of(d.Kind), d.Target, SqlNames.Of(d.Status), d.Attempts, d.LastError, Utc(d.CreatedAt)!.Value, Utc(d.SentAt))).ToList());
    }

    /// <summary>Every schedule's on-call at <paramref name="at"/>.</summary>
    public IReadOnlyList<OnCallView> OnCall(DateTimeOffset at)
    {
        var config = escalation.Config;
        return config.Schedules.Values.OrderBy(s => s.Name, StringComparer.Ordinal).Select(s =>
        {
            var who = s.OnCallAt(at);
            var shift = s.ShiftIndexAt(at);
            var next = s.HandOffAt(shift + 1);
            return new OnCallView(s.Name, s.Zone.Id, who, who is not null && config.Users.TryGetValue(who, out var u) ? u.Email : null,
                at, next, s.OnCallAt(next));
        }).ToList();
    }

    /// <summary>A step as people read it.</summary>
    public static string Describe(EscalationStep s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return s.Kind switch
        {
            StepKind.NotifyUser => $"notify user {s.Target}",
            StepKind.NotifySchedule => $"notify the on-call of {s.Target}",
            StepKind.NotifyChannel => $"notify channel {s.Target}",
            StepKind.Wait => $"wait {s.Minutes:0.##} min",
            _ => $"repeat from step {s.RepeatFrom}, {s.Times} time(s)",
        };
    }

    private static DateTimeOffset? Utc(DateTime? t) => t is { } v ? new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc)) : null;
}
