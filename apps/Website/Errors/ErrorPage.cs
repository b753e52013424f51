using System.Globalization;

namespace Website.Errors;

/// <summary>The generic error page: a status and a sentence, never exception details.</summary>
public static class ErrorPage
{
    /// <summary>A short explanation of the status for people.</summary>
    public static string Message(int status) => status switch
    {
        400 => "The request could not be understood.",
        401 or 403 => "You are not allowed to see this page.",
        404 => "This page does not exist.",
        405 => "This page does not accept that kind of request.",
        413 => "The request is too large.",
        415 => "This page does not accept that content type.",
        429 => "Too many attempts. Wait a minute and try again.",
        503 => "The service is temporarily unavailable. Please try again in a few seconds.",
        _ => "Something went wrong on our side. Please try again.",
    };

    /// <summary>A complete, self-contained HTML document for <paramref name="status"/>.</summary>
    public static string Html(int status) => string.Create(CultureInfo.InvariantCulture, $"""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>Error {status} - Lifeguard</title>
        <style>body{"{"}font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;color:#222{"}"}</style></head>
        <body><h1>Error {status}</h1><p>{Message(status)}</p><p><a href="/">Home</a></p></body></html>
        """);

    /// <summary>Writes the page unless the response has already started.</summary>
    public static async Task WriteAsync(HttpContext context, int status)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "text/html; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        // A Retry-After already set (admission control's, from Lifeguard:AdmissionRetryAfter) is the one the caller meant.
        if (status is 503 or 429 && !response.Headers.ContainsKey("Retry-After"))
        {
            response.Headers.RetryAfter = status == 503 ? "5" : "60";
        }

        await response.WriteAsync(Html(status), context.RequestAborted);
    }
}
