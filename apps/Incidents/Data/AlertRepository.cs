using Dapper;
using Incidents.Domain;

namespace Incidents.Data;

/// <summary>An incident's alerts (incident_alerts), by Alertmanager fingerprint.</summary>
public sealed class AlertRepository
{
    private readonly IncidentsSession _s;

    internal AlertRepository(IncidentsSession session) => _s = session;

    /// <summary>Inserts or replaces alerts as the latest body reports them.</summary>
    internal async Task UpsertAsync(long incidentId, IReadOnlyList<StoredAlert> alerts, CancellationToken ct)
    {
        if (alerts.Count == 0) return;
        var rows = alerts.Select(a => new
        {
            id = incidentId, fingerprint = a.Fingerprint, status = SqlNames.Of(a.Status), starts = a.StartsAt, ends = a.EndsAt,
            labels = a.Labels, annotations = a.Annotations, url = a.GeneratorUrl,
        }).ToList();
        await _s.Connection.ExecuteAsync(_s.Command(
            """
            INSERT INTO incident_alerts (incident_id, fingerprint, status, starts_at, ends_at, labels, annotations, generator_url)
            VALUES (@id, @fingerprint, @status, @starts, @ends, @labels::jsonb, @annotations::jsonb, @url)
            ON CONFLICT (incident_id, fingerprint) DO UPDATE SET status = excluded.status, starts_at = excluded.starts_at,
                ends_at = excluded.ends_at, labels = excluded.labels, annotations = excluded.annotations, generator_url = excluded.generator_url
            """, rows, ct));
    }

    /// <summary>Marks alerts resolved that the body did not list although their group resolved.</summary>
    public async Task ResolveAsync(long incidentId, IReadOnlyCollection<string> fingerprints, CancellationToken ct)
    {
        if (fingerprints.Count == 0) return;
        await _s.Connection.ExecuteAsync(_s.Command(
            "UPDATE incident_alerts SET status = @resolved, ends_at = now() WHERE incident_id = @incidentId AND fingerprint = ANY(@fingerprints)",
            new { incidentId, fingerprints = fingerprints.ToArray(), resolved = SqlNames.Of(AlertStatus.Resolved) }, ct));
    }
}
