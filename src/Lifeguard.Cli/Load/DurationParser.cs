using System.Globalization;

namespace Lifeguard.Cli.Load;

/// <summary>Parses durations as people type them on a command line: 500ms, 30s, 2m, 1h, or plain seconds.</summary>
internal static class DurationParser
{
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        text = text.Trim().ToLowerInvariant();
        (string number, double scale) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.Ordinal) => (text[..^2], 0.001),
            _ when text.EndsWith('s') => (text[..^1], 1),
            _ when text.EndsWith('m') => (text[..^1], 60),
            _ when text.EndsWith('h') => (text[..^1], 3600),
            _ => (text, 1),
        };
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || n < 0 || double.IsInfinity(n))
        {
            return false;
        }

        value = TimeSpan.FromSeconds(n * scale);
        return true;
    }

    public static TimeSpan Parse(string text, string optionName) =>
        TryParse(text, out var v) ? v : throw new ArgumentException($"{optionName}: '{text}' is not a duration (examples: 500ms, 30s, 2m).");
}
