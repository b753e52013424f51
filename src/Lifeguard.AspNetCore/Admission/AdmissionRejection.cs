using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Lifeguard.AspNetCore.Admission;

/// <summary>Finds a <see cref="PoolAdmissionRejectedException"/> however the app wrapped it, and answers 503.</summary>
internal static class AdmissionRejection
{
    public static PoolAdmissionRejectedException? Find(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is PoolAdmissionRejectedException rejected) return rejected;
            if (e is AggregateException agg)
                foreach (var inner in agg.InnerExceptions)
                    if (Find(inner) is { } found) return found;
        }
        return null;
    }

    public static Task WriteAsync(HttpContext context, PoolAdmissionRejectedException rejected)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(rejected.RetryAfter.TotalSeconds));
        context.Response.Clear();
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers[HeaderNames.RetryAfter] = seconds.ToString(CultureInfo.InvariantCulture);
        context.Response.Headers[HeaderNames.CacheControl] = "no-store";
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync($"503 Service Unavailable: the database connection pool is saturated. Retry after {seconds} s.\n", context.RequestAborted);
    }
}
