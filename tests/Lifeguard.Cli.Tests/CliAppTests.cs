using System.CommandLine;
using Spectre.Console;

namespace Lifeguard.Cli.Tests;

public sealed class CliAppTests
{
    [Theory]
    [InlineData("--help", "lifeguard [command] [options]")]
    [InlineData("size --help", "lifeguard size [options]")]
    public void Help_NamesTheToolLifeguard_NotItsAssembly(string args, string usage)
    {
        var output = new StringWriter();
        var exit = CliApp.Build(AnsiConsole.Console).Parse(args.Split(' ')).Invoke(new InvocationConfiguration { Output = output });
        exit.ShouldBe(0);
        output.ToString().ShouldContain(usage);
        output.ToString().ShouldNotContain("Lifeguard.Cli");
    }

    [Fact]
    public void Parse_UnknownVerb_IsAnError()
    {
        var parse = CliApp.Build(AnsiConsole.Console).Parse(["bogus"]);
        parse.Errors.ShouldNotBeEmpty();
        parse.Invoke(new InvocationConfiguration { Output = new StringWriter(), Error = new StringWriter() }).ShouldBe(1);
    }

    [Theory]
    [InlineData("review --server Host=h --top abc", "--top", "lifeguard review --help")]
    [InlineData("size --bogus", "--bogus", "lifeguard size --help")]
    [InlineData("bogus", "bogus", "lifeguard --help")]
    public async Task Run_MistypedInput_SaysWhatAndWhereTheHelpIs_WithoutTheHelpScreen(string args, string named, string hint)
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No });
        var exit = await CliApp.RunAsync(args.Split(' '), console, TestContext.Current.CancellationToken);
        exit.ShouldBe(1);
        var lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[..^1].ShouldAllBe(l => l.StartsWith("error:"));
        lines.ShouldContain(l => l.Contains(named));
        lines[^1].ShouldBe($"see {hint}");
        writer.ToString().ShouldNotContain("Options:");
    }

    [Fact]
    public async Task Run_MistypedInput_WritesTheErrorToTheJsonFile()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("lifeguard-cli-").FullName, "out.json");
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(new StringWriter()), Ansi = AnsiSupport.No, Interactive = InteractionSupport.No });
        (await CliApp.RunAsync(["review", "--server", "Host=h", "--top", "abc", "--json", path], console, TestContext.Current.CancellationToken)).ShouldBe(1);
        var json = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken)).RootElement;
        json.GetProperty("verb").GetString().ShouldBe("review");
        json.GetProperty("error").GetString()!.ShouldContain("abc");
        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
    }
}
