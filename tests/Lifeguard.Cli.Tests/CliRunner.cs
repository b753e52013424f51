using System.Text.Json;
using Spectre.Console;

namespace Lifeguard.Cli.Tests;

/// <summary>Runs the CLI in-process through its entry method, capturing the console and the --json file.</summary>
internal sealed class CliRunner : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lifeguard-cli-").FullName;

    /// <summary>What the last run wrote as progress (stderr when run for real).</summary>
    public string Progress { get; private set; } = "";

    public string PathFor(string name) => Path.Combine(_dir, name);

    public string Write(string name, string content)
    {
        var path = PathFor(name);
        File.WriteAllText(path, content);
        return path;
    }

    public Task<(int Exit, string Output, JsonElement? Json)> RunAsync(params string[] args) => RunAsync(240, TestContext.Current.CancellationToken, args);

    /// <summary>Runs with a console <paramref name="width"/> columns wide (80 is what piped output gets) until
    /// <paramref name="ct"/> is cancelled (as Ctrl-C does); args without "--json" get one.</summary>
    public async Task<(int Exit, string Output, JsonElement? Json)> RunAsync(int width, CancellationToken ct, params string[] args)
    {
        var jsonPath = args.Contains("--json") ? args[Array.IndexOf(args, "--json") + 1] : PathFor($"out-{Guid.NewGuid():N}.json");
        if (!args.Contains("--json")) args = [.. args, "--json", jsonPath];
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = width;
        var progress = new StringWriter();
        var exit = await CliApp.RunAsync(args, console, ct, progress);
        Progress = progress.ToString();
        JsonElement? json = File.Exists(jsonPath) ? JsonDocument.Parse(await File.ReadAllTextAsync(jsonPath, TestContext.Current.CancellationToken)).RootElement.Clone() : null;
        return (exit, writer.ToString(), json);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
