using System.Text.Json;

namespace Lifeguard.Configuration;

/// <summary>Finds connection strings in an appsettings.json: every string under any "ConnectionStrings" section, at any depth.</summary>
public static class AppSettingsConnectionStrings
{
    private static readonly JsonDocumentOptions Options = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>Returns (configuration key, connection string) pairs, keys in the configuration-binder form "A:ConnectionStrings:Main".</summary>
    /// <param name="json">The appsettings.json text.</param>
    /// <param name="includeEmpty">Also return empty values (placeholders for a connection string supplied at run time).</param>
    /// <exception cref="JsonException">The text is not JSON.</exception>
    public static IReadOnlyList<KeyValuePair<string, string>> Find(string json, bool includeEmpty = false)
    {
        using var document = JsonDocument.Parse(json, Options);
        var found = new List<KeyValuePair<string, string>>();
        Walk(document.RootElement, "", insideSection: false, includeEmpty, found);
        return found;
    }

    private static void Walk(JsonElement element, string path, bool insideSection, bool includeEmpty, List<KeyValuePair<string, string>> found)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    var child = path.Length == 0 ? property.Name : path + ":" + property.Name;
                    var isSection = string.Equals(property.Name, "ConnectionStrings", StringComparison.OrdinalIgnoreCase);
                    Walk(property.Value, child, insideSection || isSection, includeEmpty, found);
                }
                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Walk(item, path + ":" + index++, insideSection, includeEmpty, found);
                }
                break;
            case JsonValueKind.String when insideSection:
                var value = element.GetString();
                if (includeEmpty || !string.IsNullOrWhiteSpace(value)) found.Add(new(path, value ?? ""));
                break;
        }
    }
}
