using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lifeguard.Cli;

/// <summary>How every verb writes its `--json` file: snake_case, enums as snake_case strings, indented, written atomically.</summary>
internal static class CliJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static Task WriteAsync<T>(FileInfo? path, T value, CancellationToken cancellationToken) =>
        path is null ? Task.CompletedTask : WriteAsync(path.FullName, value, cancellationToken);

    /// <summary>Writes to a temporary file first, so a crash never leaves half a JSON file behind. A path that cannot be
    /// written is the user's input error (a <see cref="CliException"/>, exit 1), not a crash.</summary>
    public static async Task WriteAsync<T>(string path, T value, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(path);
        var tmp = full + ".tmp";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            await using (var stream = File.Create(tmp))
            {
                await JsonSerializer.SerializeAsync(stream, value, Options, cancellationToken).ConfigureAwait(false);
            }

            File.Move(tmp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new CliException($"--json: cannot write {full}: {e.Message}", e);
        }
    }
}
