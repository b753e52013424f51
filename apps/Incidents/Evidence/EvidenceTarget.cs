namespace Incidents.Evidence;

/// <summary>Which diagnosis URL an incident's evidence comes from, if any: only for a pool, only from allowed hosts.</summary>
internal static class EvidenceTarget
{
    /// <summary>The URL to fetch, or null when the incident concerns no pool, has no instance, or points outside the allowed hosts.</summary>
    public static Uri? Resolve(IReadOnlyDictionary<string, string> labels, EvidenceOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.DiagnosisUrl) || !labels.ContainsKey("pool")) return null;
        if (!labels.TryGetValue("instance", out var instance) || string.IsNullOrWhiteSpace(instance)) return null;
        // an instance label is host:port; anything with a path, user info or query is not one
        if (instance.IndexOfAny(['/', '@', '?', '#', ' ']) >= 0) return null;
        if (!Uri.TryCreate(options.DiagnosisUrl.Replace("{instance}", instance, StringComparison.Ordinal), UriKind.Absolute, out var uri)) return null;
        if (uri.Scheme is not ("http" or "https")) return null;
        var host = uri.Host.Trim('[', ']');
        return options.AllowedHosts.Any(h => string.Equals(h.Trim('[', ']'), host, StringComparison.OrdinalIgnoreCase)) ? uri : null;
    }
}
