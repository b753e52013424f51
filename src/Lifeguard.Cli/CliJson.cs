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

    /// <summary>
    /// Fails fast, before a long run, when <paramref name="path"/> cannot be written (a missing parent that cannot be made,
    /// no permission, a directory in the way), naming <paramref name="flag"/>; leaves nothing behind.
    /// </summary>
    public static void EnsureWritable(FileInfo? path, string flag)
    {
        if (path is null) return;
        var full = path.FullName;
        try
        {
            if (Directory.Exists(full)) throw new CliException($"{flag}: {full} is a directory; give a file name.");
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            var probe = full + ".tmp";
            using (File.Create(probe, 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"{flag}: cannot write {full}: {e.Message}", e);
        }
    }

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
