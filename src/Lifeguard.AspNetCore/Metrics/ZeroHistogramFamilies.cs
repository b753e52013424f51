using System.Globalization;
using System.Text;
using Lifeguard.Telemetry;

namespace Lifeguard.AspNetCore.Metrics;

/// <summary>
/// Completes a Prometheus exposition with the guard's wait and use histograms at zero for every pool that has not
/// leased yet. The OpenTelemetry SDK creates a histogram's series only at its first recording, so before the first
/// lease the families are missing: dashboards show "no data" and the first lease is invisible to increase().
/// The series are written with exactly the labels and bucket bounds the exporter uses once they exist, so
/// Prometheus sees one continuous series that starts at 0.
/// </summary>
internal static class ZeroHistogramFamilies
{
    private const string MaxSeries = "db_client_connection_max{";
    private const string LifeguardScope = "otel_scope_name=\"" + LifeguardInstruments.MeterName + "\"";

    private static readonly (string Name, string Help)[] Families =
    [
        ("db_client_connection_wait_time_seconds", LifeguardInstruments.WaitTimeDescription),
        ("db_client_connection_use_time_seconds", LifeguardInstruments.UseTimeDescription),
    ];

    /// <summary>Returns <paramref name="exposition"/> with the missing families added (unchanged when none is).</summary>
    public static string Complete(string exposition, bool openMetrics)
    {
        var lines = exposition.Split('\n').ToList();
        // The pools are those the guard exports a maximum for, with the label set it exports them with.
        var pools = lines
            .Where(l => l.StartsWith(MaxSeries, StringComparison.Ordinal) && l.Contains(LifeguardScope, StringComparison.Ordinal))
            .Select(l => l[MaxSeries.Length..l.LastIndexOf('}')])
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var changed = false;
        foreach (var (name, help) in Families)
        {
            var missing = pools.Where(labels => !lines.Any(l => l.StartsWith($"{name}_count{{{labels}}}", StringComparison.Ordinal))).ToList();
            if (missing.Count == 0) continue;
            var samples = missing.SelectMany(labels => Samples(name, labels, openMetrics)).ToList();
            var lastOfFamily = lines.FindLastIndex(l => l.StartsWith(name + "_", StringComparison.Ordinal));
            if (lastOfFamily >= 0)
            {
                lines.InsertRange(lastOfFamily + 1, samples); // the family exists for other pools: samples stay contiguous
            }
            else
            {
                var block = new List<string> { $"# TYPE {name} histogram" };
                if (openMetrics) block.Add($"# UNIT {name} seconds");
                block.Add($"# HELP {name} {help}");
                block.AddRange(samples);
                var eof = lines.FindIndex(l => l == "# EOF");
                var at = eof >= 0 ? eof : lines.Count > 0 && lines[^1].Length == 0 ? lines.Count - 1 : lines.Count;
                lines.InsertRange(at, block);
            }

            changed = true;
        }

        return changed ? string.Join('\n', lines) : exposition;
    }

    private static IEnumerable<string> Samples(string name, string labels, bool openMetrics)
    {
        var prefix = labels.Length == 0 ? "" : labels + ",";
        foreach (var bound in LifeguardInstruments.DurationBuckets)
            yield return $"{name}_bucket{{{prefix}le=\"{Bound(bound, openMetrics)}\"}} 0";
        yield return $"{name}_bucket{{{prefix}le=\"+Inf\"}} 0";
        yield return $"{name}_sum{{{labels}}} 0";
        yield return $"{name}_count{{{labels}}} 0";
    }

    // The exporter writes bounds as the shortest round-trip number; OpenMetrics adds ".0" to whole numbers ("1.0").
    private static string Bound(double value, bool openMetrics)
    {
        var text = value.ToString(CultureInfo.InvariantCulture);
        return openMetrics && !text.Contains('.', StringComparison.Ordinal) && !text.Contains('E', StringComparison.OrdinalIgnoreCase) ? text + ".0" : text;
    }

    public static bool IsOpenMetrics(string? contentType) =>
        contentType?.StartsWith("application/openmetrics-text", StringComparison.OrdinalIgnoreCase) == true;

    public static Encoding Utf8 { get; } = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
}
