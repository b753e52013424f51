using Microsoft.AspNetCore.Diagnostics;

namespace Lifeguard.AspNetCore.Admission;

/// <summary>For Development, where the developer exception page would otherwise render a rejection as a 500.</summary>
internal sealed class AdmissionDeveloperPageFilter : IDeveloperPageExceptionFilter
{
    public Task HandleExceptionAsync(ErrorContext errorContext, Func<ErrorContext, Task> next)
    {
        if (AdmissionRejection.Find(errorContext.Exception) is { } rejected && !errorContext.HttpContext.Response.HasStarted)
            return AdmissionRejection.WriteAsync(errorContext.HttpContext, rejected);
        return next(errorContext);
    }
}
