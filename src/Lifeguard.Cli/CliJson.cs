using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lifeguard.Cli;

/// <summary>How every verb writes its `--json` file: camelCase, enums as strings, indented.</summary>
internal static class CliJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static async Task WriteAsync<T>(FileInfo? path, T value, CancellationToken cancellationToken)
    {
        if (path is null) return;
        path.Directory?.Create();
        await using var stream = path.Create();
        await JsonSerializer.SerializeAsync(stream, value, Options, cancellationToken).ConfigureAwait(false);
    }
}
