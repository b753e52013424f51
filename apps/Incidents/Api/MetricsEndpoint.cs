namespace Incidents.Api;

/// <summary>
/// /metrics in the Prometheus text format, through OpenTelemetry's exporter: the service's <see cref="IncidentMetrics"/>
/// and its guarded pool's <c>db.client.connection.*</c>. The access rule (a reader's bearer
/// token, the API's rate limit) is set where the API maps it.
/// </summary>
public static class MetricsEndpoint
{
    /// <summary>Maps GET /metrics; the measures are refreshed from the database before the exporter collects.</summary>
    public static IEndpointConventionBuilder MapIncidentMetrics(this IEndpointRouteBuilder app) =>
        app.MapPrometheusScrapingEndpoint("/metrics", meterProvider: null,
                configureBranchedPipeline: branch => branch.Use(async (ctx, next) =>
                {
                    await ctx.RequestServices.GetRequiredService<IncidentMetrics>().RefreshAsync(ctx.RequestAborted);
                    await next(ctx);
                }), optionsName: null);
}
