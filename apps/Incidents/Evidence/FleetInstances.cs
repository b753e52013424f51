using System.Globalization;
using System.Text.RegularExpressions;

namespace Incidents.Evidence;

/// <summary>
/// A fleet alert (LifeguardFleetOverBudget) has no single instance: its <c>instances</c> annotation lists every instance
/// on the server with its pool max (<c>host:port=60 host:port=40 …</c>, largest first). The incident keeps that list as
/// evidence, and its diagnosis comes from the first listed instance that is a configured evidence target.
/// </summary>
internal static partial class FleetInstances
{
    /// <summary>The annotation's name in the alert rules.</summary>
    public const string Annotation = "instances";

    // bounded: an annotation is poster-controlled text
    private const int MaxInstances = 32;

    /// <summary>The well-formed <c>name=value</c> pairs of the annotation, in its order; anything else is dropped.</summary>
    public static IReadOnlyList<(string Instance, double PoolMax)> Parse(string? text)
    {
        var list = new List<(string, double)>();
        if (string.IsNullOrWhiteSpace(text)) return list;
        foreach (var token in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            var m = Pair().Match(token);
            if (!m.Success || !double.TryParse(m.Groups[2].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)) continue;
            list.Add((m.Groups[1].Value, value));
            if (list.Count == MaxInstances) break;
        }

        return list;
    }

    /// <summary>The timeline's line for the fleet, or null when the annotation lists none.</summary>
    public static string? Describe(IReadOnlyList<(string Instance, double PoolMax)> fleet, string? pool)
    {
        if (fleet.Count == 0) return null;
        var on = string.IsNullOrEmpty(pool) ? "" : $" on {Lifeguard.Kit.SafeText.Printable(pool, 120)}";
        var list = string.Join(", ", fleet.Select(f => f.Instance + " " + f.PoolMax.ToString("0.##", CultureInfo.InvariantCulture)));
        var sum = fleet.Sum(f => f.PoolMax).ToString("0.##", CultureInfo.InvariantCulture);
        return $"Fleet evidence from the alert: {fleet.Count} instance(s){on}, pool max each (largest first): {list}; {sum} in all.";
    }

    // an instance as Prometheus labels it (host:port, a pod name, [v6]:port) and a number
    [GeneratedRegex(@"^([A-Za-z0-9_.:\[\]/-]{1,100})=([0-9][0-9.eE+]{0,15})$")]
    private static partial Regex Pair();
}
