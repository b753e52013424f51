using Lifeguard.AspNetCore.Admission;
using Lifeguard.AspNetCore.Attribution;
using Lifeguard.Attribution;
using Microsoft.AspNetCore.Http;

namespace Lifeguard.AspNetCore;

/// <summary>Outermost middleware (added by a startup filter): names the request's operation for attribution and
/// turns an admission rejection into 503 + Retry-After.</summary>
internal sealed class LifeguardMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        using var scope = LifeguardOperation.Begin(new HttpOperationNameSource(context));
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (Exception ex) when (AdmissionRejection.Find(ex) is { } rejected && !context.Response.HasStarted)
        {
            await AdmissionRejection.WriteAsync(context, rejected).ConfigureAwait(false);
        }
    }
}
