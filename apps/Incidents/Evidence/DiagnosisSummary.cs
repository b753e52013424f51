using System.Globalization;
using System.Text.Json;

namespace Incidents.Evidence;

/// <summary>
/// The fields of a Lifeguard diagnosis (<c>/lifeguard/diagnosis</c>: cause, summary, evidence[], remedy, avoid, since, confidence)
/// that the timeline, the UI and the postmortem use. Read leniently: evidence items may be strings or objects.
/// </summary>
public sealed record DiagnosisSummary(
    string Cause,
    string? Summary,
    IReadOnlyList<string> Evidence,
    string? Remedy,
    string? Avoid,
    DateTimeOffset? Since,
    double? Confidence,
    IReadOnlyList<string> Consequences)
{
    /// <summary>The cause the diagnoser names when nothing is wrong; its <c>since</c> is not a fault's onset.</summary>
    public const string Healthy = "healthy";

    /// <summary>The fault's onset as the app saw it: <see cref="Since"/> of a named cause (not <c>healthy</c>), if it has a real date.</summary>
    public DateTimeOffset? Onset => Cause != Healthy && Since is { Year: > 2000 } s ? s : null;

    /// <summary>Reads a diagnosis JSON object.</summary>
    public static DiagnosisSummary From(JsonElement json)
    {
        var evidence = new List<string>();
        if (json.TryGetProperty("evidence", out var ev) && ev.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in ev.EnumerateArray())
            {
                evidence.Add(item.ValueKind switch
                {
                    JsonValueKind.String => item.GetString()!,
                    JsonValueKind.Object => Describe(item),
                    _ => item.GetRawText(),
                });
            }
        }

        DateTimeOffset? since = null;
        if (Str(json, "since") is { } s && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)) since = parsed;
        double? confidence = json.TryGetProperty("confidence", out var c) && c.ValueKind == JsonValueKind.Number ? c.GetDouble() : null;
        var consequences = json.TryGetProperty("consequences", out var cs) && cs.ValueKind == JsonValueKind.Array
            ? cs.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToList()
            : [];
        return new DiagnosisSummary(Str(json, "cause") ?? "unknown", Str(json, "summary"), evidence, Str(json, "remedy"), Str(json, "avoid"), since, confidence, consequences);
    }

    /// <summary>Reads a stored diagnosis, or null.</summary>
    public static DiagnosisSummary? FromText(string? json)
    {
        if (string.IsNullOrEmpty(json)) return null;
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.ValueKind == JsonValueKind.Object ? From(doc.RootElement) : null;
    }

    // an empty string is no value (the diagnoser writes "" for a remedy it does not have)
    private static string? Str(JsonElement json, string name) =>
        json.TryGetProperty(name, out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => string.IsNullOrWhiteSpace(v.GetString()) ? null : v.GetString(),
            JsonValueKind.Null or JsonValueKind.Undefined => null,
            _ => v.GetRawText(),
        } : null;

    // {"name": "...", "value": ...} or any flat object: "k: v, k: v"
    private static string Describe(JsonElement item)
    {
        if (Str(item, "text") is { } text) return text;
        if (Str(item, "message") is { } message) return message;
        return string.Join(", ", item.EnumerateObject().Select(p => $"{p.Name}: {(p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.GetRawText())}"));
    }
}
