using Lifeguard.Contracts.Alertmanager;

namespace Incidents.Intake;

/// <summary>
/// Makes every <c>runbook_url</c> annotation a link a reader can follow safely before it is stored: absolute http(s)
/// stays, a relative one (deploy/RUNBOOK.md#…, as Lifeguard's own rules write) is resolved against
/// Incidents:Intake:RunbookBaseUrl (without one it stays as a plain repository path when it is one: letters, digits,
/// . _ / - and an #anchor), anything else (javascript:, data:, odd characters) is dropped.
/// </summary>
internal static class RunbookLinks
{
    private const string Key = "runbook_url";

    /// <summary>Rewrites the body's annotations in place.</summary>
    public static void Normalize(AlertmanagerWebhook body, Uri? baseUrl)
    {
        Fix(body.CommonAnnotations, baseUrl);
        foreach (var a in body.Alerts ?? []) Fix(a.Annotations, baseUrl);
    }

    /// <summary>The link to keep, or null to drop it.</summary>
    internal static string? Resolve(string? value, Uri? baseUrl)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (Uri.TryCreate(value, UriKind.Absolute, out var abs) && !value.StartsWith('/'))
        {
            return abs.Scheme is "http" or "https" ? abs.AbsoluteUri : null;
        }

        if (baseUrl is null) return RepositoryPath(value) ? value : null;
        return Uri.TryCreate(baseUrl, value, out var rel) && rel.Scheme is "http" or "https" ? rel.AbsoluteUri : null;
    }

    /// <summary>Whether the value is a plain path inside a repository (deploy/RUNBOOK.md#lifeguardpoolsaturated).</summary>
    internal static bool RepositoryPath(string value) =>
        value.Length <= 300 && !value.StartsWith('/') && !value.Contains("..", StringComparison.Ordinal) &&
        value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '/' or '-' or '#');

    private static void Fix(Dictionary<string, string>? annotations, Uri? baseUrl)
    {
        if (annotations is null || !annotations.TryGetValue(Key, out var value)) return;
        if (Resolve(value, baseUrl) is { } link) annotations[Key] = link;
        else annotations.Remove(Key);
    }
}
