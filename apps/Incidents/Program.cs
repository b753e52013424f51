using Lifeguard.Kit;
using Incidents.Access;
using Incidents.Data;
using Npgsql;

namespace Incidents;

/// <summary>Entry point: <c>migrate</c>, <c>user EMAIL ROLE</c> (password on stdin), or (default) serve.</summary>
public static class Program
{
    /// <summary>Runs the verb; 0 on success, 1 on failure, 2 on bad configuration or arguments.</summary>
    public static Task<int> Main(string[] args) =>
        new AppVerbs("incidents", IncidentsConnectionString.Key)
            .AddMigrate(a => IncidentsConnectionString.Resolve(IncidentsApp.CreateBuilder(a).Configuration), Migrator.Run)
            .Add("user", SetUserAsync)
            .RunAsync(args, a => IncidentsApp.Build(a));

    // user EMAIL ROLE [--if-missing]; the password comes on stdin so it never shows in a process list or shell history
    private static async Task<int> SetUserAsync(string[] args)
    {
        if (args.Length < 2 || !Roles.IsKnown(args[1]))
        {
            await Console.Error.WriteLineAsync("usage: Incidents user EMAIL responder|viewer [--if-missing] < password");
            return 2;
        }

        var ifMissing = args.Skip(2).Contains("--if-missing");
        var password = (await Console.In.ReadLineAsync())?.Trim() ?? "";
        var cs = IncidentsConnectionString.Resolve(IncidentsApp.CreateBuilder([.. args.Skip(2).Where(a => a != "--if-missing")]).Configuration);
        await using var db = NpgsqlDataSource.Create(cs);
        var users = new UserStore(db, TimeProvider.System, Microsoft.Extensions.Options.Options.Create(new IncidentsOptions()));
        try
        {
            if (ifMissing && await users.ExistsAsync(args[0], CancellationToken.None))
            {
                Console.WriteLine($"incidents user: {UserStore.Normalize(args[0])} exists (kept)");
                return 0;
            }

            await users.SetAsync(args[0], args[1], password, CancellationToken.None);
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync($"incidents user: {ex.Message.Split(" (Parameter", 2)[0]}");
            return 2;
        }

        Console.WriteLine($"incidents user: {UserStore.Normalize(args[0])} is a {args[1]}");
        return 0;
    }
}
