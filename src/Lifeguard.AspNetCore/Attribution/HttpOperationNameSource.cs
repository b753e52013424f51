using System.Collections.Concurrent;
using Lifeguard.Attribution;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Lifeguard.AspNetCore.Attribution;

/// <summary>Names the current request by method and route pattern ("GET /dashboard"), read when a lease is taken —
/// after routing — so patterns, not raw paths, keep the cardinality bounded.</summary>
internal sealed class HttpOperationNameSource(HttpContext context) : OperationNameSource
{
    internal const string Unmatched = "(unmatched)";
    private static readonly ConcurrentDictionary<(Endpoint, string), string> s_names = new();

    public override string? GetName()
    {
        var endpoint = context.GetEndpoint();
        if (endpoint is null) return Unmatched;
        var method = context.Request.Method;
        if (s_names.TryGetValue((endpoint, method), out var name)) return name;
        var pattern = endpoint is RouteEndpoint re ? re.RoutePattern.RawText ?? "/" : endpoint.DisplayName ?? Unmatched;
        if (endpoint is RouteEndpoint && !pattern.StartsWith('/')) pattern = "/" + pattern;
        name = method + " " + pattern;
        return s_names.GetOrAdd((endpoint, method), name);
    }
}
