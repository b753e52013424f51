using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lifeguard.Contracts;

/// <summary>
/// The one JSON shape of every Lifeguard contract: snake_case names, enums as their snake_case names, nulls kept.
/// Fixed here, independent of the host's JSON options, so a reader never has to accept two spellings.
/// </summary>
public static class ContractJson
{
    /// <summary>Serializer options for contract types (read-only; share, do not modify).</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DictionaryKeyPolicy = JsonNamingPolicy.SnakeCaseLower,
        };
        o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        o.MakeReadOnly(populateMissingResolver: true);
        return o;
    }
}
