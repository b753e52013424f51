using System.Text;

namespace Incidents.Postmortem;

/// <summary>
/// Text from outside (alert titles and labels, timeline lines, a diagnosis's words) made inert in the postmortem's
/// Markdown: it cannot add links, images, HTML, headings or emphasis to a document people publish. Intraword
/// underscores stay as they are (cause names like lock_contention; CommonMark does not emphasise them).
/// </summary>
internal static class MarkdownText
{
    /// <summary>The text on one line with Markdown's active characters (and the `<` that opens HTML) backslash-escaped.</summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var sb = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            switch (c)
            {
                // a backslash makes each of these literal in CommonMark: `<` can then open no HTML tag and no autolink
                case '\\' or '`' or '*' or '[' or ']' or '!' or '#' or '|' or '~' or '<':
                    sb.Append('\\').Append(c);
                    break;
                case '\r' or '\n' or '\u2028' or '\u2029': sb.Append(' '); break;
                default:
                    if (!char.IsControl(c)) sb.Append(c);
                    break;
            }
        }

        return sb.ToString();
    }

    /// <summary>An http(s) link as an autolink, a plain repository path as code, or null for anything else (javascript:, data:, malformed).</summary>
    public static string? Link(string? url)
    {
        if (string.IsNullOrEmpty(url)) return null;
        if (Intake.RunbookLinks.RepositoryPath(url)) return "`" + url + "`";
        return Uri.TryCreate(url, UriKind.Absolute, out var u) && u.Scheme is "http" or "https" && url.IndexOfAny(['<', '>', ' ', '\n', '\r', '`']) < 0
            ? "<" + u.AbsoluteUri + ">"
            : null;
    }
}
