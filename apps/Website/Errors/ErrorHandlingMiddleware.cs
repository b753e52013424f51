namespace Website.Errors;

/// <summary>
/// Outermost middleware: turns every unhandled exception into the generic error page (503 for database
/// trouble), so no stack trace reaches a visitor, in any environment.
/// </summary>
public sealed class ErrorHandlingMiddleware(RequestDelegate next, ILogger<ErrorHandlingMiddleware> logger)
{
    /// <summary>Runs the rest of the pipeline and handles what it throws.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            await next(context);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nobody is left to answer.
        }
        catch (Exception ex)
        {
            var status = ErrorClassifier.StatusFor(ex);
            if (status == StatusCodes.Status503ServiceUnavailable)
            {
                // Query errors (deadlock, lock or statement timeout, server gone mid-query) reach the diagnosis this way.
                context.RequestServices.GetService<Lifeguard.GuardedDataSource>()?.ReportError(ex);
                // Expected during an outage, once per request: one line, not a stack trace per page view.
                logger.LogWarning("{Method} {Path} answered 503, database unavailable: {Reason}", context.Request.Method, context.Request.Path, ex.GetBaseException().Message);
            }
            else if (status >= 500)
            {
                logger.LogError(ex, "{Method} {Path} failed with {Status}", context.Request.Method, context.Request.Path, status);
            }
            else
            {
                logger.LogInformation("{Method} {Path} rejected with {Status}: {Reason}", context.Request.Method, context.Request.Path, status, ex.Message);
            }

            if (context.Response.HasStarted)
            {
                context.Abort();
                return;
            }

            context.Response.Clear();
            for (var e = ex; e is not null; e = e.InnerException)
            {
                if (e is Lifeguard.PoolAdmissionRejectedException rejected)
                {
                    context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(rejected.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }
            }

            await ErrorPage.WriteAsync(context, status);
        }
    }
}
