using System.Data.Common;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Lifeguard.Kit;

/// <summary>A status-only health endpoint for load balancers and run.sh: no numbers, no authentication.</summary>
public static class DatabaseHealth
{
    /// <summary>Maps GET <paramref name="path"/>: "Healthy" when the app's <see cref="DbDataSource"/> answers <c>SELECT 1</c>, else "Unhealthy" with 503.</summary>
    public static IEndpointConventionBuilder MapDatabaseHealth(this IEndpointRouteBuilder endpoints, string path = "/health")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapGet(path, async (DbDataSource db, CancellationToken ct) =>
        {
            try
            {
                await using var conn = await db.OpenConnectionAsync(ct);
                await conn.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 1", cancellationToken: ct));
                return Results.Text("Healthy");
            }
            catch (Exception ex) when (ex is DbException or TimeoutException)
            {
                return Results.Text("Unhealthy", statusCode: 503);
            }
        });
    }
}
