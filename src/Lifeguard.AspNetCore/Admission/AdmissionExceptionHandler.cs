using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Lifeguard.AspNetCore.Admission;

/// <summary>For apps with UseExceptionHandler(), which would otherwise turn a rejection into a 500 before our middleware sees it.</summary>
internal sealed class AdmissionExceptionHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (AdmissionRejection.Find(exception) is not { } rejected || httpContext.Response.HasStarted) return false;
        await AdmissionRejection.WriteAsync(httpContext, rejected).ConfigureAwait(false);
        return true;
    }
}
