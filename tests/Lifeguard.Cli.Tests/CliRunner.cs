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

    public async Task<(int Exit, string Output, JsonElement? Json)> RunAsync(params string[] args)
    {
        var jsonPath = PathFor($"out-{Guid.NewGuid():N}.json");
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 240; // keep messages on one line so tests can search them
        var progress = new StringWriter();
        var exit = await CliApp.RunAsync([.. args, "--json", jsonPath], console, TestContext.Current.CancellationToken, progress);
        Progress = progress.ToString();
        JsonElement? json = File.Exists(jsonPath) ? JsonDocument.Parse(await File.ReadAllTextAsync(jsonPath, TestContext.Current.CancellationToken)).RootElement.Clone() : null;
        return (exit, writer.ToString(), json);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
