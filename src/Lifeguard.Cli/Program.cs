using System.CommandLine;
using Lifeguard.Cli.Load;

namespace Lifeguard.Cli;

internal static class Program
{
    private static Task<int> Main(string[] args)
    {
        var root = new RootCommand("lifeguard: keeps database connection pools from turning into outages.")
        {
            LoadCommand.Create(),
            Drill.DrillCommand.Create(),
        };
        return root.Parse(args).InvokeAsync();
    }
}
