using Dapper;
using Incidents.Data;
using Incidents.Domain;

namespace Incidents.Escalations;

/// <summary>The deliveries outbox: written with the step that asked for them, claimed and sent by whichever replica holds the row.</summary>
public sealed class DeliveryRepository
{
    private const string ResolvedFirst = "the incident was resolved";
    private readonly IncidentsSession _s;

    internal DeliveryRepository(IncidentsSession session) => _s = session;

    /// <summary>Queues one notification, due now.</summary>
    public Task AddAsync(long incidentId, int run, int step, ChannelKind kind, string target, string destination, DateTime now, CancellationToken ct) =>
        _s.Connection.ExecuteAsync(_s.Command(
            """
            INSERT INTO deliveries (incident_id, run, step, kind, target, destination, status, due_at, created_at)
            VALUES (@incidentId, @run, @step, @kind, @target, @destination, @pending, @now, @now)
            """, new { incidentId, run, step, kind = SqlNames.Of(kind), target, destination, pending = SqlNames.Of(DeliveryStatus.Pending), now }, ct));

    /// <summary>Cancels an incident's deliveries not yet sent; how many.</summary>
    /// <remarks>A delivery a worker is sending right now holds its row, so it is skipped, not waited for: it goes out, everything after it does not.</remarks>
    public Task<int> CancelPendingAsync(long incidentId, CancellationToken ct) =>
        _s.Connection.ExecuteAsync(_s.Command(
            """
            UPDATE deliveries SET status = @cancelled, due_at = NULL, last_error = @why
            WHERE id IN (SELECT id FROM deliveries WHERE incident_id = @incidentId AND status = @pending FOR UPDATE SKIP LOCKED)
            """, new { incidentId, why = ResolvedFirst, cancelled = SqlNames.Of(DeliveryStatus.Cancelled), pending = SqlNames.Of(DeliveryStatus.Pending) }, ct));

    /// <summary>Claims the delivery due first, holding its row so no other replica sends it too.</summary>
    internal Task<DueDelivery?> ClaimDueAsync(DateTime now, CancellationToken ct) =>
        _s.Connection.QuerySingleOrDefaultAsync<DueDelivery>(_s.Command(
            """
            SELECT d.id, d.incident_id, d.step, d.kind, d.target, d.destination, d.attempts, i.status, i.title, i.labels::text AS labels,
                   i.diagnosis::text AS diagnosis, e.policy
            FROM deliveries d JOIN incidents i ON i.id = d.incident_id LEFT JOIN escalations e ON e.incident_id = d.incident_id
            WHERE d.status = @pending AND d.due_at <= @now ORDER BY d.due_at, d.id LIMIT 1 FOR UPDATE OF d SKIP LOCKED
            """, new { now, pending = SqlNames.Of(DeliveryStatus.Pending) }, ct));

    /// <summary>Cancels one delivery: its incident resolved.</summary>
    public Task CancelAsync(long id, CancellationToken ct) =>
        _s.Connection.ExecuteAsync(_s.Command(
            "UPDATE deliveries SET status = @cancelled, due_at = NULL, last_error = @why WHERE id = @id",
            new { id, why = ResolvedFirst, cancelled = SqlNames.Of(DeliveryStatus.Cancelled) }, ct));

    /// <summary>Records a delivery sent.</summary>
    public Task SentAsync(long id, int attempt, DateTime now, CancellationToken ct) =>
        _s.Connection.ExecuteAsync(_s.Command(
            "UPDATE deliveries SET status = @sent, attempts = @attempt, due_at = NULL, sent_at = @now WHERE id = @id",
            new { attempt, now, id, sent = SqlNames.Of(DeliveryStatus.Sent) }, ct));

    /// <summary>Gives up on a delivery.</summary>
    public Task FailedAsync(long id, int attempt, string error, CancellationToken ct) =>
        _s.Connection.ExecuteAsync(_s.Command(
            "UPDATE deliveries SET status = @failed, attempts = @attempt, due_at = NULL, last_error = @error WHERE id = @id",
            new { attempt, error, id, failed = SqlNames.Of(DeliveryStatus.Failed) }, ct));

    /// <summary>Records a failed attempt and when to try again.</summary>
    public Task RetryAtAsync(long id, int attempt, DateTime due, string error, CancellationToken ct) =>
        _s.Connection.ExecuteAsync(_s.Command(
            "UPDATE deliveries SET attempts = @attempt, due_at = @due, last_error = @error WHERE id = @id",
            new { attempt, due, error, id }, ct));
}
