using Spectre.Console;

namespace Lifeguard.Cli;

internal static class Program
{
    private static Task<int> Main(string[] args) => CliApp.RunAsync(args, AnsiConsole.Console);
}
