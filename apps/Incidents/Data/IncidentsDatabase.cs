using System.Data.Common;

namespace Incidents.Data;

/// <summary>Opens sessions on the service's database; services decide where a transaction starts and ends, repositories hold the SQL.</summary>
public sealed class IncidentsDatabase(DbDataSource dataSource)
{
    /// <summary>A session without a transaction (reads; call <see cref="IncidentsSession.BeginAsync"/> to write).</summary>
    public async Task<IncidentsSession> OpenAsync(CancellationToken ct) => new(await dataSource.OpenConnectionAsync(ct));

    /// <summary>A session inside a new transaction.</summary>
    public async Task<IncidentsSession> BeginAsync(CancellationToken ct)
    {
        var session = await OpenAsync(ct);
        await session.BeginAsync(ct);
        return session;
    }
}
