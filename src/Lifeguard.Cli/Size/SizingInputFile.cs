using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lifeguard.Cli.Size;

/// <summary>
/// The `--from-json` input schema (documented in README): measured load from `lifeguard load` or
/// `lifeguard drill`, either as the whole file or under a top-level "sizing_input" property:
/// { "arrival_rate_per_second": 120.5, "hold_mean_ms": 12.3, "hold_p99_ms": 48.0, "instances": 1 }.
/// Only arrival_rate_per_second and hold_mean_ms are required.
/// </summary>
internal sealed record SizingInputFile
{
    [JsonPropertyName("arrival_rate_per_second")] public double? ArrivalRatePerSecond { get; init; }
    [JsonPropertyName("hold_mean_ms")] public double? HoldMeanMs { get; init; }
    [JsonPropertyName("hold_p99_ms")] public double? HoldP99Ms { get; init; }
    [JsonPropertyName("instances")] public int? Instances { get; init; }

    public static SizingInputFile Read(string path)
    {
        if (!File.Exists(path)) throw new CliException($"--from-json: {path} does not exist.");
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && TryGet(root, "sizing_input", out var nested)) root = nested;
            var input = root.Deserialize<SizingInputFile>(CliJson.Options) ?? new SizingInputFile();
            if (input.ArrivalRatePerSecond is null || input.HoldMeanMs is null)
            {
                throw new CliException($"--from-json: {path} needs arrival_rate_per_second and hold_mean_ms (top level or under sizing_input).");
            }
            return input;
        }
        catch (JsonException e)
        {
            throw new CliException($"--from-json: {path} is not valid input JSON: {e.Message}", e);
        }
    }

    private static bool TryGet(JsonElement element, string name, out JsonElement value)
    {
        foreach (var p in element.EnumerateObject())
        {
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = p.Value;
                return true;
            }
        }
        value = default;
        return false;
    }
}
