using System.Globalization;
using Lifeguard;
using Lifeguard.Contracts;
using Lifeguard.Statements;
using Lifeguard.AspNetCore;
using Lifeguard.Hosting.Diagnosis;
using Lifeguard.AspNetCore.Health;
using Lifeguard.AspNetCore.Management;
using Lifeguard.AspNetCore.Metrics;
using Lifeguard.AspNetCore.Pages;
using Lifeguard.AspNetCore.Pools;
using Lifeguard.Hosting;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the guard's endpoints.</summary>
public static class LifeguardEndpointRouteBuilderExtensions
{
    /// <summary>Maps the operational endpoints /metrics (Prometheus text), /lifeguard (live page) and /lifeguard/state
    /// (JSON: the primary pool, and every pool under <c>pools</c>), /lifeguard/diagnosis (the live root cause, JSON) and /lifeguard/diagnosis/history
    /// (per second), /lifeguard/statements (the slowest statements, when a source is registered), plus /health with details when a management port is configured; and a status-only /health for every
    /// port. With <c>Lifeguard:Endpoints:ManagementPort</c> the operational endpoints answer only there (404
    /// elsewhere); without it they answer on the app's addresses, so protect them through the returned builder
    /// (e.g. <c>.RequireAuthorization("ops")</c>), whose conventions apply to every operational endpoint.</summary>
    public static IEndpointConventionBuilder MapLifeguard(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var address = endpoints.ServiceProvider.GetService<LifeguardManagementAddress>()
            ?? throw new InvalidOperationException("MapLifeguard() needs services.AddLifeguard() first.");

        // Everything in this group is operational; an endpoint added here later is covered without further work.
        var group = endpoints.MapGroup("").WithMetadata(ManagementEndpointMetadata.Instance);
        group.MapPrometheusScrapingEndpoint("/metrics", meterProvider: null,
            configureBranchedPipeline: app => app.UseMiddleware<ZeroHistogramsMiddleware>(), optionsName: null);
        group.MapGet("/lifeguard", () => Results.Content(LifeguardPage.Html, "text/html; charset=utf-8"));
        group.MapGet("/lifeguard/page.js", () => Results.Content(LifeguardPage.Script, "text/javascript; charset=utf-8"));
        group.MapGet("/lifeguard/charts.js", () => Results.Content(LifeguardCharts.Script, "text/javascript; charset=utf-8"));
        // The contracts' own JSON (snake_case), not the host's options: readers never have to accept two spellings.
        group.MapGet("/lifeguard/state", (LifeguardPools pools, HttpContext context) =>
        {
            context.Response.Headers.CacheControl = "no-store";
            return Results.Json(LifeguardStateJson.Of(pools), ContractJson.Options);
        });
        group.MapGet("/lifeguard/diagnosis", (LifeguardDiagnosisService diagnosis, HttpContext context) =>
        {
            context.Response.Headers.CacheControl = "no-store";
            return Results.Json(diagnosis.Current, ContractJson.Options);
        });
        // The fleet as this instance read it at its latest heartbeat (Lifeguard.Postgres's registry): instances, slots, budget.
        group.MapGet("/lifeguard/fleet", (LifeguardDiagnosisService diagnosis, HttpContext context) =>
        {
            context.Response.Headers.CacheControl = "no-store";
            var fleet = diagnosis.Current.Signals?.Server?.Fleet;
            return Results.Json(new Dictionary<string, object?>
            {
                ["fleet"] = fleet,
                ["note"] = fleet is null ? "no fleet reading: the fleet registry is off (Lifeguard:Fleet:Enabled, the role's rights: see the log) or not read yet (docs/fleet.md)" : null,
            }, ContractJson.Options);
        });
        // ?since=TIME: only the seconds after it (the live page's charts poll the new seconds, not 15 minutes every second).
        group.MapGet("/lifeguard/diagnosis/history", (LifeguardDiagnosisService diagnosis, HttpContext context, string? since) =>
        {
            context.Response.Headers.CacheControl = "no-store";
            context.Response.Headers["X-Lifeguard-History-Seconds"] = diagnosis.HistorySeconds.ToString(CultureInfo.InvariantCulture);
            var history = diagnosis.History();
            if (since is null) return Results.Json(history, ContractJson.Options);
            if (!DateTimeOffset.TryParse(since, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var after))
                return Results.Text("since: not a time (ISO 8601, e.g. 2026-12-06T05:00:00Z)\n", "text/plain", statusCode: StatusCodes.Status400BadRequest);
            return Results.Json(history.Where(h => h.At > after).ToList(), ContractJson.Options);
        });

        group.MapGet("/lifeguard/statements", async (HttpContext context, CancellationToken ct) =>
        {
            context.Response.Headers.CacheControl = "no-store";
            // Optional: only apps that registered a provider's source (AddLifeguardPostgres().AddQueryReview()) have the list.
            if (context.RequestServices.GetService<ISlowStatementSource>() is not { } source)
                return Results.Json(new SlowStatementsReport(DateTimeOffset.MinValue, [],
                    ["no statement source is registered: services.AddLifeguardPostgres().AddQueryReview() (Lifeguard.Postgres)"]));
            return Results.Json(await source.ReadAsync(ct).ConfigureAwait(false));
        });

        if (address.Port is not null)
        {
            group.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = HealthJsonWriter.WriteAsync });
        }

        // Outside the group: anonymous load-balancer probes keep working whatever conventions the group gets.
        endpoints.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = HealthStatusWriter.WriteAsync });
        return group;
    }
}
