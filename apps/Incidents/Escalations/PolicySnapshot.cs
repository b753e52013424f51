using System.Text.Json;

namespace Incidents.Escalations;

/// <summary>A policy as JSON in the escalations row, so a running escalation survives restarts and policy file edits unchanged.</summary>
internal static class PolicySnapshot
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string Write(EscalationPolicy policy) => JsonSerializer.Serialize(policy, Json);

    public static EscalationPolicy Read(string json) => JsonSerializer.Deserialize<EscalationPolicy>(json, Json)
        ?? throw new InvalidOperationException("empty escalation snapshot");

    public static Dictionary<int, int> ReadRepeats(string json) => JsonSerializer.Deserialize<Dictionary<int, int>>(json, Json) ?? [];

    public static string WriteRepeats(Dictionary<int, int> repeats) => JsonSerializer.Serialize(repeats, Json);
}
