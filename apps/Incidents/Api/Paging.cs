using System.Globalization;

namespace Incidents.Api;

/// <summary>Query-string paging values, parsed strictly: a value that is not a number in range is a 400, never a 500 or a silent default.</summary>
internal static class Paging
{
    /// <summary>The page size: <paramref name="fallback"/> when absent, null when not 1..<paramref name="max"/>.</summary>
    public static int? Limit(string? text, int fallback, int max) =>
        string.IsNullOrEmpty(text) ? Math.Min(fallback, max)
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 && n <= max ? n : null;

    /// <summary>An offset 0..1,000,000 (0 when absent), null otherwise.</summary>
    public static int? Offset(string? text) =>
        string.IsNullOrEmpty(text) ? 0
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= 1_000_000 ? n : null;

    /// <summary>An id (0 when absent), null when not a positive number.</summary>
    public static long? Id(string? text) =>
        string.IsNullOrEmpty(text) ? 0
        : long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : null;
}
