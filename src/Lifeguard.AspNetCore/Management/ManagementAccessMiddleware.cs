using Microsoft.AspNetCore.Http;

namespace Lifeguard.AspNetCore.Management;

/// <summary>With a token configured, every request to the management address without it gets 401 before anything
/// else runs. The token is never logged.</summary>
internal sealed class ManagementAccessMiddleware(RequestDelegate next, LifeguardManagementAddress address)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (!address.IsManagementRequest(context) || address.Authorizes(context.Request.Headers.Authorization)) return next(context);
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer realm=\"lifeguard-management\"";
        context.Response.Headers.CacheControl = "no-store";
        return Task.CompletedTask;
    }
}
