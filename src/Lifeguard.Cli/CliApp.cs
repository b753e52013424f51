using System.CommandLine;
using System.CommandLine.Help;
using Lifeguard.Cli.Check;
using Lifeguard.Cli.Diagnose;
using Lifeguard.Cli.Drill;
using Lifeguard.Cli.Load;
using Lifeguard.Cli.Review;
using Lifeguard.Cli.Size;
using Lifeguard.Cli.Sweep;
using Spectre.Console;

namespace Lifeguard.Cli;

/// <summary>The `lifeguard` root command and its verbs; tests run it in-process through <see cref="RunAsync"/>.</summary>
internal static class CliApp
{
    /// <summary>Exit code when the verb could not do its job (bad input, unreachable server or URL).</summary>
    public const int Failure = 1;

    /// <param name="console">Where verbs print their report and errors.</param>
    /// <param name="progress">Where long verbs print progress (stderr unless a test captures it), so stdout stays the report.</param>
    public static Command Build(IAnsiConsole console, TextWriter? progress = null)
    {
        // A named root rather than RootCommand, whose name is the entry assembly's ("Lifeguard.Cli": the tool cannot be
        // an assembly called lifeguard beside the core library Lifeguard); help and version are what RootCommand adds.
        var root = new Command("lifeguard", "Lifeguard: keeps a database connection pool from turning into an outage.")
        {
            new HelpOption(),
            new VersionOption(),
        };
        root.Add(CheckCommand.Create(console));
        root.Add(SizeCommand.Create(console));
        root.Add(LoadCommand.Create(console));
        root.Add(DrillCommand.Create());
        root.Add(SweepCommand.Create(console));
        root.Add(ReviewCommand.Create(console, progress: progress));
        root.Add(DiagnoseCommand.Create(console));
        return root;
    }

    public static async Task<int> RunAsync(string[] args, IAnsiConsole console, CancellationToken cancellationToken = default, TextWriter? progress = null)
    {
        var parse = Build(console, progress).Parse(args);
        // (No arguments at all still gets the help screen: that is asking what the tool does.)
        if (parse.Errors.Count > 0 && args.Length > 0)
        {
            return await ReportParseErrorsAsync(parse, console, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }, cancellationToken).ConfigureAwait(false);
        }
        catch (CliException e)
        {
            MarkupLineUnwrapped(console, $"[red]error:[/] {Markup.Escape(e.Message.ReplaceLineEndings(" "))}");
            await WriteErrorJsonAsync(parse, e.Message, cancellationToken).ConfigureAwait(false);
            return Failure;
        }
    }

    // A mistyped option is one "error:" line per mistake and where the help is, not the whole help screen after it
    // (System.CommandLine's default), which pushed the error out of a CI log's last lines.
    private static async Task<int> ReportParseErrorsAsync(ParseResult parse, IAnsiConsole console, CancellationToken cancellationToken)
    {
        foreach (var error in parse.Errors)
        {
            MarkupLineUnwrapped(console, $"[red]error:[/] {Markup.Escape(error.Message.ReplaceLineEndings(" "))}");
        }

        var verb = parse.CommandResult.Command;
        var path = verb.Parents.OfType<Command>().Any() ? $"lifeguard {verb.Name}" : "lifeguard";
        MarkupLineUnwrapped(console, $"see [bold]{Markup.Escape(path)} --help[/]");
        await WriteErrorJsonAsync(parse, string.Join("; ", parse.Errors.Select(e => e.Message)), cancellationToken).ConfigureAwait(false);
        return Failure;
    }

    // CI reads the JSON even when the verb could not run: say why there instead of leaving no file.
    private static async Task WriteErrorJsonAsync(ParseResult parse, string error, CancellationToken cancellationToken)
    {
        var verb = parse.CommandResult.Command;
        if (!verb.Options.Any(o => o.Name == "--json")) return;
        try
        {
            var json = parse.GetResult("--json") is { } given && !given.Errors.Any() ? parse.GetValue<FileInfo?>("--json") : null;
            await CliJson.WriteAsync(json, new { verb = verb.Name, error }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception io) when (io is CliException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            // The error may be that very path (--json to a directory that cannot be made, a --json that did not parse):
            // the console already has it.
        }
    }

    /// <summary>Writes one line that is never wrapped: piped output has Spectre's default width of 80 columns, and an error
    /// or an evidence line split in two is not one line to grep.</summary>
    public static void MarkupLineUnwrapped(IAnsiConsole console, string markup)
    {
        var width = console.Profile.Width;
        console.Profile.Width = Math.Max(width, markup.Length + 1);
        try
        {
            console.MarkupLine(markup);
        }
        finally
        {
            console.Profile.Width = width;
        }
    }

    /// <summary>The `--json PATH` option every verb takes.</summary>
    public static Option<FileInfo?> JsonOption() => new("--json") { Description = "Also write the result as JSON to this file." };
}
