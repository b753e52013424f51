using System.Globalization;
using Incidents.Access;
using Incidents.Escalations;
using Microsoft.AspNetCore.Authorization;

namespace Incidents.Api;

/// <summary>Escalation endpoints: an incident's policy and deliveries, and who is on call. Bearer token only, like the rest of the API.</summary>
public static class EscalationApi
{
    /// <summary>Maps <c>GET /api/incidents/{id}/escalation</c> and <c>GET /api/oncall[?at=ISO-8601]</c>.</summary>
    public static IEndpointRouteBuilder MapEscalationApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var read = new AuthorizeAttribute { AuthenticationSchemes = BearerTokenHandler.SchemeName, Policy = Roles.ReadPolicy };
        app.MapGet("/api/incidents/{id:long}/escalation", async (long id, EscalationQueries q, CancellationToken ct) =>
            await q.GetAsync(id, ct) is { } e ? Results.Ok(e) : Results.NotFound()).RequireAuthorization(read).RequireRateLimiting(Intake.IntakeBounds.ApiPolicy);
        app.MapGet("/api/oncall", (string? at, EscalationQueries q, TimeProvider time) =>
        {
            var when = time.GetUtcNow();
            if (!string.IsNullOrEmpty(at) && !DateTimeOffset.TryParse(at, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out when))
            {
                return Results.Problem("at must be an ISO-8601 time, e.g. 2026-03-29T01:00:00Z", statusCode: 400);
            }

            // schedules step forward by shifts from `at`: near DateTimeOffset's ends that arithmetic overflows
            if (when.UtcDateTime.Year is < 1970 or > 9000) return Results.Problem("at must be between the years 1970 and 9000", statusCode: 400);

            return Results.Ok(q.OnCall(when.ToUniversalTime()));
        }).RequireAuthorization(read).RequireRateLimiting(Intake.IntakeBounds.ApiPolicy);
        return app;
    }
}
