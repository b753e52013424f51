using System.Globalization;

namespace Website.Dashboards;

/// <summary>Formats integer cents for display (the data set is single-currency).</summary>
public static class Money
{
    /// <summary>12345 -> "$123.45".</summary>
    public static string Format(long cents) =>
        (cents < 0 ? "-$" : "$") + (Math.Abs(cents) / 100m).ToString("N2", CultureInfo.InvariantCulture);
}
