using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lifeguard.Cli.Size;

/// <summary>
/// The `--from-json` input schema (documented in README): measured load from `lifeguard load` or
/// `lifeguard drill`, either as the whole file or under a top-level "sizingInput" property:
/// { "arrivalRatePerSecond": 120.5, "holdMeanMs": 12.3, "holdP99Ms": 48.0, "instances": 1 }.
/// Only arrivalRatePerSecond and holdMeanMs are required.
/// </summary>
internal sealed record SizingInputFile
{
    [JsonPropertyName("arrivalRatePerSecond")] public double? ArrivalRatePerSecond { get; init; }
    [JsonPropertyName("holdMeanMs")] public double? HoldMeanMs { get; init; }
    [JsonPropertyName("holdP99Ms")] public double? HoldP99Ms { get; init; }
    [JsonPropertyName("instances")] public int? Instances { get; init; }

    public static SizingInputFile Read(string path)
    {
        if (!File.Exists(path)) throw new CliException($"--from-json: {path} does not exist.");
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && TryGet(root, "sizingInput", out var nested)) root = nested;
            var input = root.Deserialize<SizingInputFile>(CliJson.Options) ?? new SizingInputFile();
            if (input.ArrivalRatePerSecond is null || input.HoldMeanMs is null)
            {
                throw new CliException($"--from-json: {path} needs arrivalRatePerSecond and holdMeanMs (top level or under sizingInput).");
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
