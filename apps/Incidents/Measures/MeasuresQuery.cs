using System.Data.Common;
using Dapper;
using Incidents.Data;
using Incidents.Domain;

namespace Incidents.Measures;

/// <summary>Rolling MTTD/MTTA/MTTR over 7 and 30 days, computed in PostgreSQL so every replica answers the same.</summary>
public sealed class MeasuresQuery(DbDataSource db, TimeProvider time)
{
    /// <summary>The windows the UI, the API and /metrics show.</summary>
    public static readonly int[] Windows = [7, 30];

    /// <summary>One row per window.</summary>
    public async Task<IReadOnlyList<RollingMeasures>> RollingAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var conn = await db.OpenConnectionAsync(ct);
        var result = new List<RollingMeasures>();
        foreach (var days in Windows)
        {
            var row = await conn.QuerySingleAsync<Row>(new CommandDefinition(
                """
                SELECT count(*)::int AS incidents,
                       count(*) FILTER (WHERE status <> @resolved)::int AS open,
                       avg(GREATEST(0, extract(epoch FROM opened_at - COALESCE(onset_at, fault_started_at))))::float8 AS mttd,
                       -- GREATEST ignores NULLs, so the FILTERs keep incidents without that step out of the mean
                       avg(GREATEST(0, extract(epoch FROM acknowledged_at - opened_at))) FILTER (WHERE acknowledged_at IS NOT NULL)::float8 AS mtta,
                       avg(GREATEST(0, extract(epoch FROM resolved_at - fault_started_at))) FILTER (WHERE resolved_at IS NOT NULL)::float8 AS mttr,
                       COALESCE(sum(reopen_count), 0)::int AS reopens
                FROM incidents WHERE opened_at > @since
                """, new { since = now.AddDays(-days), resolved = SqlNames.Of(IncidentStatus.Resolved) }, cancellationToken: ct));
            result.Add(new RollingMeasures(days, row.Incidents, row.Open, row.Mttd, row.Mtta, row.Mttr, row.Reopens));
        }

        return result;
    }

    private sealed class Row
    {
        public int Incidents { get; set; }
        public int Open { get; set; }
        public double? Mttd { get; set; }
        public double? Mtta { get; set; }
        public double? Mttr { get; set; }
        public int Reopens { get; set; }
    }
}
