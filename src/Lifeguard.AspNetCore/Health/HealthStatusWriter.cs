using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Lifeguard.AspNetCore.Health;

/// <summary>The public /health: the overall status and the HTTP code a load balancer reads (503 when Unhealthy),
/// nothing else: pool names and numbers are for the management address.</summary>
internal static class HealthStatusWriter
{
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        var body = report.Status switch
        {
            HealthStatus.Healthy => """{"status":"Healthy"}""",
            HealthStatus.Degraded => """{"status":"Degraded"}""",
            _ => """{"status":"Unhealthy"}""",
        };
        return context.Response.WriteAsync(body, context.RequestAborted);
    }
}
