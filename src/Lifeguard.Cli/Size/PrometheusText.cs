using System.Globalization;
using System.Text;

namespace Lifeguard.Cli.Size;

/// <summary>Parses the Prometheus text exposition format (version 0.0.4): sample lines only, comments skipped.</summary>
internal static class PrometheusText
{
    public static List<PrometheusSample> Parse(string text)
    {
        var samples = new List<PrometheusSample>();
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            if (TryParseLine(line) is { } sample) samples.Add(sample);
        }
        return samples;
    }

    private static PrometheusSample? TryParseLine(string line)
    {
        var i = 0;
        while (i < line.Length && line[i] != '{' && !char.IsWhiteSpace(line[i])) i++;
        var name = line[..i];
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (i < line.Length && line[i] != '}')
            {
                while (i < line.Length && (line[i] == ',' || line[i] == ' ')) i++;
                if (i < line.Length && line[i] == '}') break;
                var eq = line.IndexOf('=', i);
                if (eq < 0) return null;
                var key = line[i..eq].Trim();
                i = eq + 1;
                if (i >= line.Length || line[i] != '"') return null;
                i++;
                var value = new StringBuilder();
                while (i < line.Length && line[i] != '"')
                {
                    if (line[i] == '\\' && i + 1 < line.Length)
                    {
                        i++;
                        value.Append(line[i] == 'n' ? '\n' : line[i]);
                    }
                    else
                    {
                        value.Append(line[i]);
                    }
                    i++;
                }
                i++; // closing quote
                labels[key] = value.ToString();
            }
            i++; // closing brace
        }
        var rest = line[Math.Min(i, line.Length)..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (name.Length == 0 || rest.Length == 0) return null;
        return TryParseValue(rest[0]) is { } v ? new PrometheusSample(name, labels, v) : null;
    }

    internal static double? TryParseValue(string text) => text switch
    {
        "+Inf" or "Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null,
    };
}
