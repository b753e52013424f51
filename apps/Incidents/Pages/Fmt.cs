using System.Globalization;

namespace Incidents;

/// <summary>Formatting for pages.</summary>
public static class Fmt
{
    /// <summary>Seconds as "12.3 s", "4 min 5 s" or "n/a".</summary>
    public static string Seconds(double? s)
    {
        if (s is not { } v) return "n/a";
        if (v < 60) return v.ToString("0.#", CultureInfo.InvariantCulture) + " s";
        var t = TimeSpan.FromSeconds(v);
        return t.TotalHours < 1 ? $"{(int)t.TotalMinutes} min {t.Seconds} s" : $"{(int)t.TotalHours} h {t.Minutes} min";
    }
}
