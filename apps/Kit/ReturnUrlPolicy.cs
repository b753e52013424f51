namespace Lifeguard.Kit;

/// <summary>Decides whether a post-login redirect target stays on this site (open-redirect protection).</summary>
public static class ReturnUrlPolicy
{
    /// <summary>True for a path on this site: "/x", but not "//host", "/\host", absolute URLs or control characters.</summary>
    public static bool IsLocal(string? url)
    {
        if (string.IsNullOrEmpty(url) || url.Length > 2048 || url[0] != '/')
        {
            return false;
        }

        if (url.Length > 1 && (url[1] == '/' || url[1] == '\\'))
        {
            return false;
        }

        // Browsers treat backslashes as slashes and strip tabs/newlines, so "/\t/evil" becomes "//evil".
        return !url.Any(c => c == '\\' || char.IsControl(c) || char.IsWhiteSpace(c));
    }

    /// <summary>The URL itself when local, otherwise <paramref name="fallback"/> (the app's landing page).</summary>
    public static string SafeOrDefault(string? url, string fallback) => IsLocal(url) ? url! : fallback;
}
