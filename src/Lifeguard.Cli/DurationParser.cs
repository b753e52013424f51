using System.Globalization;

namespace Lifeguard.Cli;

/// <summary>Parses "500ms", "30s", "2m" or a bare number of seconds.</summary>
internal static class DurationParser
{
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        try
        {
            value = Parse(text, "duration");
            return true;
        }
        catch (CliException)
        {
            return false;
        }
    }

    public static TimeSpan Parse(string text, string optionName)
    {
        var t = text.Trim().ToLowerInvariant();
        (string number, double scale) = t switch
        {
            _ when t.EndsWith("ms", StringComparison.Ordinal) => (t[..^2], 0.001),
            _ when t.EndsWith('s') => (t[..^1], 1.0),
            _ when t.EndsWith('m') => (t[..^1], 60.0),
            _ when t.EndsWith('h') => (t[..^1], 3600.0),
            _ => (t, 1.0),
        };
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < 0 || !double.IsFinite(value))
        {
            throw new CliException($"{optionName}: '{text}' is not a duration (e.g. 500ms, 30s, 2m).");
        }
        return TimeSpan.FromSeconds(value * scale);
    }
}
