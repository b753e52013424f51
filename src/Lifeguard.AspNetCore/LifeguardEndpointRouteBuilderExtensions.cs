using Lifeguard;
using Lifeguard.AspNetCore.Diagnosis;
using Lifeguard.AspNetCore.Health;
using Lifeguard.AspNetCore.Pages;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the guard's endpoints.</summary>
public static class LifeguardEndpointRouteBuilderExtensions
{
    /// <summary>Maps /metrics (Prometheus text), /health (JSON), /lifeguard (live page, with /lifeguard/state and
    /// /lifeguard/diagnosis as JSON, /lifeguard/diagnosis/history per second);
    /// the returned builder applies conventions (e.g. authorization) to all of them.</summary>
    public static IEndpointConventionBuilder MapLifeguard(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup("");
        group.MapPrometheusScrapingEndpoint("/metrics");
        group.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = HealthJsonWriter.WriteAsync });
        group.MapGet("/lifeguard", () => Results.Content(LifeguardPage.Html, "text/html; charset=utf-8"));
        group.MapGet("/lifeguard/page.js", () => Results.Content(LifeguardPage.Script, "text/javascript; charset=utf-8"));
        group.MapGet("/lifeguard/state", (GuardedDataSource guard, HttpContext context) =>
        {
            context.Response.Headers.CacheControl = "no-store";
            return Results.Json(guard.Snapshot());
        });
        group.MapGet("/lifeguard/diagnosis", (LifeguardDiagnosisService diagnosis, HttpContext context) =>
        {
            context.Response.Headers.CacheControl = "no-store";
            return Results.Json(diagnosis.Current);
        });
        group.MapGet("/lifeguard/diagnosis/history", (LifeguardDiagnosisService diagnosis, HttpContext context) =>
        {
            context.Response.Headers.CacheControl = "no-store";
            return Results.Json(diagnosis.History());
        });
        return group;
    }
}
