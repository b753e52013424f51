using System.Globalization;
using System.Text;
using Dapper;
using Incidents.Measures;
using Npgsql;

namespace Incidents.Api;

/// <summary>
/// /metrics in the Prometheus text format. The measures are read from PostgreSQL at scrape time, so every replica reports
/// the same fleet-wide numbers (an in-process instrument would only know its own replica's incidents).
/// </summary>
public static class MetricsEndpoint
{
    private static long s_notifications;

    /// <summary>Counts one accepted webhook body (per replica).</summary>
    public static void CountNotification() => Interlocked.Increment(ref s_notifications);

    /// <summary>Writes the metrics.</summary>
    public static async Task WriteAsync(HttpContext http, MeasuresQuery measures, NpgsqlDataSource db, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(measures);
        ArgumentNullException.ThrowIfNull(db);
        var rolling = await measures.RollingAsync(ct);
        await using var conn = await db.OpenConnectionAsync(ct);
        var byStatus = (await conn.QueryAsync<(string Status, long N)>(new CommandDefinition(
            "SELECT status, count(*) FROM incidents GROUP BY status", cancellationToken: ct))).ToDictionary(r => r.Status, r => r.N);
        var sb = new StringBuilder();
        sb.AppendLine("# HELP lifeguard_incidents Incidents by status.").AppendLine("# TYPE lifeguard_incidents gauge");
        foreach (var s in new[] { "triggered", "acknowledged", "resolved" })
        {
            sb.Append(CultureInfo.InvariantCulture, $"lifeguard_incidents{{status=\"{s}\"}} {byStatus.GetValueOrDefault(s)}").AppendLine();
        }

        Gauge(sb, "lifeguard_incidents_opened", "Incidents opened in the window.", rolling, r => r.Incidents);
        Gauge(sb, "lifeguard_incidents_mttd_seconds", "Mean time to detect (fault onset to incident opened) over the window.", rolling, r => r.MttdSeconds);
        Gauge(sb, "lifeguard_incidents_mtta_seconds", "Mean time to acknowledge (opened to first acknowledgement) over the window.", rolling, r => r.MttaSeconds);
        Gauge(sb, "lifeguard_incidents_mttr_seconds", "Mean time to resolve (alert startsAt to resolved) over the window.", rolling, r => r.MttrSeconds);
        Gauge(sb, "lifeguard_incidents_reopens", "Re-openings of incidents opened in the window.", rolling, r => r.Reopens);
        sb.AppendLine("# HELP lifeguard_incidents_notifications_total Alertmanager webhook bodies accepted by this replica.")
            .AppendLine("# TYPE lifeguard_incidents_notifications_total counter")
            .Append(CultureInfo.InvariantCulture, $"lifeguard_incidents_notifications_total {Interlocked.Read(ref s_notifications)}").AppendLine();
        http.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        await http.Response.WriteAsync(sb.ToString(), ct);
    }

    private static void Gauge(StringBuilder sb, string name, string help, IReadOnlyList<RollingMeasures> rows, Func<RollingMeasures, double?> value)
    {
        sb.Append("# HELP ").Append(name).Append(' ').AppendLine(help).Append("# TYPE ").Append(name).AppendLine(" gauge");
        foreach (var r in rows)
        {
            if (value(r) is not { } v) continue; // no incident had that step in the window: no sample, rather than a false 0
            sb.Append(CultureInfo.InvariantCulture, $"{name}{{window=\"{r.Days}d\"}} {v.ToString("0.###", CultureInfo.InvariantCulture)}").AppendLine();
        }
    }
}
