using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lifeguard.Contracts.Alertmanager;

/// <summary>
/// Writes label and annotation names exactly as they are: they are data, not member names, so a serializer's
/// DictionaryKeyPolicy (<see cref="ContractJson.Options"/> has one) must not rename <c>podName</c> to <c>pod_name</c>.
/// </summary>
internal sealed class VerbatimKeysConverter : JsonConverter<Dictionary<string, string>>
{
    public override Dictionary<string, string>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException("an object of strings expected");
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var key = reader.GetString()!;
            reader.Read();
            result[key] = reader.TokenType == JsonTokenType.String ? reader.GetString()! : throw new JsonException($"'{key}' is not a string");
        }

        return result;
    }

    public override void Write(Utf8JsonWriter writer, Dictionary<string, string> value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        foreach (var (key, text) in value) writer.WriteString(key, text);
        writer.WriteEndObject();
    }
}
