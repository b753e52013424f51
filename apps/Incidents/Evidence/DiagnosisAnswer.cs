using System.Text.Json;
using Lifeguard.Diagnosis;

namespace Incidents.Evidence;

/// <summary>
/// What a management address's answer must be before it becomes an incident's cause and remedy (shown as "Do first" in
/// every channel and the postmortem): a JSON object naming one of Lifeguard's causes, with texts of sane length.
/// </summary>
internal static class DiagnosisAnswer
{
    private const int MaxText = 2000;
    private const int MaxEvidenceItems = 50;
    private const int MaxEvidenceText = 1000;

    /// <summary>Null when the answer is acceptable, else why not (reader-safe: no content of the answer).</summary>
    public static string? Problem(JsonElement answer)
    {
        if (answer.ValueKind != JsonValueKind.Object) return "the answer is not a JSON object";
        if (!answer.TryGetProperty("cause", out var cause) || cause.ValueKind != JsonValueKind.String
            || !DiagnosisCauses.All.Contains(cause.GetString()!, StringComparer.Ordinal))
        {
            return "the answer names no known cause";
        }

        foreach (var name in (string[])["summary", "remedy", "avoid", "since"])
        {
            if (answer.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString()!.Length > MaxText)
            {
                return $"the answer's {name} is longer than {MaxText} characters";
            }
        }

        if (answer.TryGetProperty("evidence", out var ev) && ev.ValueKind == JsonValueKind.Array)
        {
            if (ev.GetArrayLength() > MaxEvidenceItems) return $"the answer has more than {MaxEvidenceItems} evidence items";
            if (ev.EnumerateArray().Any(e => e.GetRawText().Length > MaxEvidenceText)) return $"an evidence item is longer than {MaxEvidenceText} characters";
        }

        return null;
    }
}
