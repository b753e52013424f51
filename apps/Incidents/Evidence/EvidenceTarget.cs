using Lifeguard.Kit;

namespace Incidents.Evidence;

/// <summary>
/// Which configured management address an incident's evidence comes from, if any. The alert's <c>instance</c> label
/// only selects among <see cref="EvidenceOptions.Targets"/> by exact host:port; it never becomes part of a URL, so a
/// label cannot steer the service (and the token it sends) to a port of the poster's choosing.
/// </summary>
internal static class EvidenceTarget
{
    /// <summary>The diagnosis URL for the labels, or null with the reason (for the timeline) when there is none.</summary>
    public static (Uri? Url, string? Reason) Resolve(IReadOnlyDictionary<string, string> labels, EvidenceOptions options)
    {
        // not a pool's alert, or evidence is off (no targets): nothing to fetch, nothing to say
        if (!labels.ContainsKey("pool") || options.Targets.Count == 0) return (null, null);
        if (!labels.TryGetValue("instance", out var instance) || string.IsNullOrWhiteSpace(instance))
        {
            return (null, "No diagnosis fetched: the alert names no instance.");
        }

        foreach (var url in options.Targets.Values)
        {
            if (ParseTarget(url) is { } target && string.Equals(target.Authority, instance, StringComparison.OrdinalIgnoreCase))
            {
                return (new Uri(target, options.DiagnosisPath), null);
            }
        }

        return (null, $"No diagnosis fetched: no configured evidence target for instance {SafeText.Printable(instance, 80)}.");
    }

    /// <summary>A target's base URL when it is one: absolute http(s) with host and port, nothing else (no user info, path, query or fragment).</summary>
    public static Uri? ParseTarget(string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Contains('\\', StringComparison.Ordinal)) return null;
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")) return null;
        if (uri.UserInfo.Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.AbsolutePath != "/") return null;
        return uri;
    }
}
