using System.Globalization;

namespace Lifeguard.Cli.Drill.Engine;

/// <summary>The website's settings with admission control on (its Lifeguard:AdmissionBudget).</summary>
internal static class AdmissionSettings
{
    /// <summary>The cpu demonstration's admission budget when --admission is not given.</summary>
    public static readonly TimeSpan DefaultBudget = TimeSpan.FromSeconds(1);

    /// <summary><paramref name="settings"/> (the drill's site settings by default) with the admission budget set.</summary>
    public static Dictionary<string, string> For(TimeSpan budget, IDictionary<string, string>? settings = null) =>
        new(settings ?? SiteDatabase.SiteSettings(), StringComparer.Ordinal)
        {
            ["Lifeguard__AdmissionBudget"] = budget.ToString("c", CultureInfo.InvariantCulture),
        };
}
