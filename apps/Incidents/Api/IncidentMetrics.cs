using System.Data.Common;
using System.Diagnostics.Metrics;
using Dapper;
using Incidents.Data;
using Incidents.Domain;
using Incidents.Measures;

namespace Incidents.Api;

/// <summary>
/// The service's own instruments on the meter <see cref="MeterName"/>, exported through OpenTelemetry beside the guard's
/// pool metrics. The incident measures are read from PostgreSQL just before each scrape (<see cref="RefreshAsync"/>), so
/// every replica reports the same fleet-wide numbers (an in-process count would only know its own replica's incidents);
/// the notification counter is this replica's own.
/// </summary>
public sealed class IncidentMetrics
{
    /// <summary>The meter's name (the series' <c>otel_scope_name</c>).</summary>
    public const string MeterName = "Lifeguard.Incidents";

    // every status, by its stored word (the label values), from the one mapping
    private static readonly string[] Statuses = [.. Enum.GetValues<IncidentStatus>().Select(SqlNames.Of)];

    private readonly MeasuresQuery _measures;
    private readonly DbDataSource _db;
    private long _notifications;
    private volatile Reading _last = new([], new Dictionary<string, long>());

    /// <summary>Creates the instruments on the host's meter factory.</summary>
    public IncidentMetrics(IMeterFactory meters, MeasuresQuery measures, DbDataSource db)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _measures = measures;
        _db = db;
        var meter = meters.Create(MeterName);
        // exported names: lifeguard_incidents, lifeguard_incidents_opened, lifeguard_incidents_mttd_seconds, …, lifeguard_incidents_notifications_total
        meter.CreateObservableGauge("lifeguard.incidents", () => Statuses.Select(s =>
            new Measurement<long>(_last.ByStatus.GetValueOrDefault(s), new KeyValuePair<string, object?>("status", s))), description: "Incidents by status.");
        Window("lifeguard.incidents.opened", null, "Incidents opened in the window.", r => r.Incidents);
        Window("lifeguard.incidents.mttd", "s", "Mean time to detect (fault onset to incident opened) over the window.", r => r.MttdSeconds);
        Window("lifeguard.incidents.mtta", "s", "Mean time to acknowledge (opened to first acknowledgement) over the window.", r => r.MttaSeconds);
        Window("lifeguard.incidents.mttr", "s", "Mean time to resolve (alert startsAt to resolved) over the window.", r => r.MttrSeconds);
        Window("lifeguard.incidents.reopens", null, "Re-openings of incidents opened in the window.", r => r.Reopens);
        // observable, so the series is there at 0 from the first scrape (a counter's would appear only at its first Add)
        meter.CreateObservableCounter("lifeguard.incidents.notifications", () => Interlocked.Read(ref _notifications),
            description: "Alertmanager webhook bodies accepted by this replica.");

        void Window(string name, string? unit, string description, Func<RollingMeasures, double?> value) =>
            meter.CreateObservableGauge(name, () => _last.Rolling
                // no incident had that step in the window: no sample, rather than a false 0
                .Where(r => value(r) is not null)
                .Select(r => new Measurement<double>(value(r)!.Value, new KeyValuePair<string, object?>("window", $"{r.Days}d"))), unit, description);
    }

    /// <summary>Counts one accepted webhook body.</summary>
    public void CountNotification() => Interlocked.Increment(ref _notifications);

    /// <summary>Reads the incident measures from the database for the scrape about to be collected.</summary>
    public async Task RefreshAsync(CancellationToken ct)
    {
        var rolling = await _measures.RollingAsync(ct);
        await using var conn = await _db.OpenConnectionAsync(ct);
        var byStatus = (await conn.QueryAsync<(string Status, long N)>(new CommandDefinition(
            "SELECT status, count(*) FROM incidents GROUP BY status", cancellationToken: ct))).ToDictionary(r => r.Status, r => r.N);
        _last = new Reading(rolling, byStatus);
    }

    private sealed record Reading(IReadOnlyList<RollingMeasures> Rolling, IReadOnlyDictionary<string, long> ByStatus);
}
