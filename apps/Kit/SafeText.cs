using System.Text;

namespace Lifeguard.Kit;

/// <summary>Text from outside (labels, names, keys) made safe to put on one line of a log, a timeline or a page.</summary>
public static class SafeText
{
    /// <summary>
    /// The text with every control character (CR, LF, ESC, …) shown as <c>?</c> and cut to <paramref name="max"/>
    /// characters: a value that carries a line break cannot forge a second log line.
    /// </summary>
    public static string Printable(string? text, int max = 200)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var sb = new StringBuilder(Math.Min(text.Length, max + 1));
        foreach (var c in text)
        {
            if (sb.Length >= max)
            {
                sb.Append('…');
                break;
            }

            sb.Append(char.IsControl(c) || c is '\u2028' or '\u2029' ? '?' : c);
        }

        return sb.ToString();
    }

    /// <summary>Whether the text holds a control character (refused in keys and labels that reach logs and pages).</summary>
    public static bool HasControl(string? text) => text is not null && text.Any(c => char.IsControl(c) || c is '\u2028' or '\u2029');
}
