using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lifeguard.Diagnosis;

/// <summary>
/// Maps the raw confidence of a named cause (its rule's strength times its share of the window) to how often a cause
/// stated that way was right on the accuracy corpus: a monotone step function fitted by pooling adjacent violators
/// (isotonic regression) over the raw values, each block's value smoothed by one right and one wrong answer so a block
/// of a few seconds is not stated as certain. Committed as data (Diagnosis/confidence-calibration.json), regenerated
/// with `lifeguard drill --replay tests/Lifeguard.Tests/Diagnosis/Corpus --write-calibration FILE`.
/// </summary>
internal sealed class ConfidenceCalibration
{
    private const string Resource = "Lifeguard.Diagnosis.confidence-calibration.json";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private static readonly Lazy<ConfidenceCalibration> Committed = new(LoadCommitted);

    /// <summary>Where it came from, for people: the command and the traces.</summary>
    public string Source { get; init; } = "";

    /// <summary>Raw confidences from <see cref="CalibrationBlock.FromRaw"/> up to the next block's map to its calibrated value.</summary>
    public IReadOnlyList<CalibrationBlock> Blocks { get; init; } = [];

    /// <summary>The calibration shipped with this assembly.</summary>
    public static ConfidenceCalibration Default => Committed.Value;

    /// <summary>The calibrated confidence of a raw one (2 decimals); a raw value below the first block takes its value.</summary>
    public double Apply(double raw)
    {
        if (Blocks.Count == 0) return raw;
        var block = Blocks[0];
        foreach (var b in Blocks)
        {
            if (b.FromRaw > raw) break;
            block = b;
        }
        return Math.Round(block.Calibrated, 2);
    }

    /// <summary>Fits the map from answered seconds: each raw confidence a cause was named with, and whether it was right.</summary>
    public static ConfidenceCalibration Fit(IEnumerable<(double Raw, bool Right)> seconds, string source)
    {
        ArgumentNullException.ThrowIfNull(seconds);
        // One group per distinct raw value (the raw values are few: strengths times k/5), in order.
        var groups = seconds.GroupBy(s => Math.Round(s.Raw, 2)).OrderBy(g => g.Key)
            .Select(g => new Pool(g.Key, g.Key, g.Count(), g.Count(x => x.Right))).ToList();
        // Pool adjacent violators: merge a group into the one below while its hit rate is not higher.
        var blocks = new List<Pool>();
        foreach (var g in groups)
        {
            var current = g;
            while (blocks.Count > 0 && blocks[^1].Rate >= current.Rate)
            {
                var below = blocks[^1];
                blocks.RemoveAt(blocks.Count - 1);
                current = new Pool(below.From, current.To, below.Seconds + current.Seconds, below.Right + current.Right);
            }
            blocks.Add(current);
        }
        // Smoothed (one right, one wrong added) and kept monotone after smoothing.
        var result = new List<CalibrationBlock>();
        var floor = 0.0;
        foreach (var b in blocks)
        {
            floor = Math.Max(floor, (b.Right + 1.0) / (b.Seconds + 2.0));
            result.Add(new CalibrationBlock(b.From, b.To, b.Seconds, b.Right, Math.Round(floor, 3)));
        }
        return new ConfidenceCalibration { Source = source, Blocks = result };
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static ConfidenceCalibration FromJson(string json) =>
        JsonSerializer.Deserialize<ConfidenceCalibration>(json, Json) ?? throw new InvalidDataException("empty confidence calibration");

    private static ConfidenceCalibration LoadCommitted()
    {
        using var stream = typeof(ConfidenceCalibration).Assembly.GetManifestResourceStream(Resource)
            ?? throw new InvalidOperationException($"the assembly lacks its confidence calibration ({Resource})");
        using var reader = new StreamReader(stream);
        return FromJson(reader.ReadToEnd());
    }

    private sealed record Pool(double From, double To, int Seconds, int Right)
    {
        public double Rate => Right / (double)Seconds;
    }

    public override string ToString() => string.Join("; ", Blocks.Select(b => string.Create(CultureInfo.InvariantCulture, $"[{b.FromRaw:0.00}, {b.ToRaw:0.00}] -> {b.Calibrated:0.000}")));
}

/// <summary>Raw confidences in [FromRaw, ToRaw] as fitted: the seconds named with them, how many were right, the calibrated value.</summary>
internal sealed record CalibrationBlock(double FromRaw, double ToRaw, int Seconds, int Right, double Calibrated);
