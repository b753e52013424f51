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

    // A request may take several leases: once routed, its name is resolved once.
    private string? _name;

    public override string? GetName() => _name ?? Resolve();

    private string Resolve()
    {
        var endpoint = context.GetEndpoint();
        if (endpoint is null) return Unmatched;
        var method = StandardMethod(context.Request.Method);
        if (s_names.TryGetValue((endpoint, method), out var name)) return _name = name;
        var pattern = endpoint is RouteEndpoint re ? re.RoutePattern.RawText ?? "/" : endpoint.DisplayName ?? Unmatched;
        if (endpoint is RouteEndpoint && !pattern.StartsWith('/')) pattern = "/" + pattern;
        name = method + " " + pattern;
        return _name = s_names.GetOrAdd((endpoint, method), name);
    }

    // Clients choose the method string: anything unusual is one name, so they cannot grow the caches.
    private static string StandardMethod(string method)
    {
        method = HttpMethods.GetCanonicalizedValue(method);
        return HttpMethods.IsGet(method) || HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsDelete(method)
            || HttpMethods.IsPatch(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method)
            ? method
            : "OTHER";
    }
}
