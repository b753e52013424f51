using System.Globalization;
using Lifeguard.Kit;
using Npgsql;
using Website.Data;

namespace Website;

/// <summary>Entry point: <c>migrate</c>, <c>seed [--scale X]</c>, or (default) serve the site.</summary>
public static class Program
{
    /// <summary>Runs the verb; exit code 0 on success, 1 on failure, 2 on bad configuration or arguments.</summary>
    public static Task<int> Main(string[] args) =>
        new AppVerbs("website", MainConnectionString.Key)
            .AddMigrate(ResolveConnectionString, Migrator.Run)
            .Add("seed", SeedAsync)
            .RunAsync(args, a => WebsiteApp.Build(a));

    private static string ResolveConnectionString(string[] args) =>
        MainConnectionString.Resolve(WebsiteApp.CreateBuilder(args).Configuration);

    private static async Task<int> SeedAsync(string[] args)
    {
        var scale = 1.0;
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--scale")
            {
                if (i + 1 >= args.Length || !double.TryParse(args[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out scale) || !(scale > 0 && scale <= 20))
                {
                    await Console.Error.WriteLineAsync("website seed: --scale needs a number in (0, 20], e.g. --scale 0.01");
                    return 2;
                }

                i++;
            }
            else
            {
                rest.Add(args[i]);
            }
        }

        var cs = ResolveConnectionString([.. rest]);
        await using var dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(cs) { CommandTimeout = 0 }.ConnectionString);
        await Seeder.RunAsync(dataSource, scale, TimeProvider.System, Console.Out);
        return 0;
    }
}
