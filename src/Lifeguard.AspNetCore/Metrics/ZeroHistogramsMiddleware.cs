using Microsoft.AspNetCore.Http;

namespace Lifeguard.AspNetCore.Metrics;

/// <summary>Runs in front of the Prometheus exporter on /metrics and adds the guard's histograms at zero before the
/// first lease (see <see cref="ZeroHistogramFamilies"/>).</summary>
internal sealed class ZeroHistogramsMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            context.Response.Body = original;
        }

        var body = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        if (context.Response.StatusCode == StatusCodes.Status200OK && body.Length > 0)
        {
            var text = ZeroHistogramFamilies.Utf8.GetString(body.Span);
            var completed = ZeroHistogramFamilies.Complete(text, ZeroHistogramFamilies.IsOpenMetrics(context.Response.ContentType));
            if (!ReferenceEquals(completed, text)) body = ZeroHistogramFamilies.Utf8.GetBytes(completed);
        }

        context.Response.ContentLength = body.Length;
        await original.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }
}
