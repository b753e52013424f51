using Microsoft.AspNetCore.Builder;
using Npgsql;

namespace Lifeguard.Kit;

/// <summary>
/// An app's command line, one way for both apps: <c>APP VERB ARGS…</c> runs a named verb (each one reaches the app's
/// database), anything else serves. Failures a user can mend end as one line on stderr: exit 2 for configuration or
/// arguments, 1 when the database named by the connection key cannot be used.
/// </summary>
/// <param name="app">The app's name as it starts each error line ("website", "incidents").</param>
/// <param name="connectionKey">The configuration key of the app's connection string, named when the database fails.</param>
public sealed class AppVerbs(string app, string connectionKey)
{
    private readonly Dictionary<string, Func<string[], Task<int>>> _verbs = new(StringComparer.Ordinal);

    /// <summary>Adds a verb; <paramref name="run"/> gets the arguments after the verb and returns the exit code.</summary>
    public AppVerbs Add(string verb, Func<string[], Task<int>> run)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(verb);
        ArgumentNullException.ThrowIfNull(run);
        _verbs.Add(verb, run);
        return this;
    }

    /// <summary>Adds <c>migrate</c>: the connection string from the remaining arguments, then the app's migrations.</summary>
    public AppVerbs AddMigrate(Func<string[], string> connectionString, Func<string, TextWriter, bool> migrate)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        ArgumentNullException.ThrowIfNull(migrate);
        return Add("migrate", args => Task.FromResult(migrate(connectionString(args), Console.Out) ? 0 : 1));
    }

    /// <summary>Runs the verb <paramref name="args"/> name, or builds the app with <paramref name="serve"/> (all the arguments) and runs it until it stops.</summary>
    public async Task<int> RunAsync(string[] args, Func<string[], WebApplication> serve)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(serve);
        var verb = args.Length > 0 ? args[0] : "";
        var named = _verbs.TryGetValue(verb, out var run);
        try
        {
            if (named) return await run!(args[1..]);
            await using var host = serve(args);
            await host.RunAsync();
            return 0;
        }
        catch (StartupConfigurationException ex)
        {
            await Console.Error.WriteLineAsync($"{app}: {ex.Message}");
            return 2;
        }
        catch (Microsoft.Extensions.Options.OptionsValidationException ex)
        {
            await Console.Error.WriteLineAsync($"{app}: invalid configuration: {string.Join("; ", ex.Failures)}");
            return 2;
        }
        catch (Exception ex) when (named && ex is NpgsqlException or TimeoutException)
        {
            await Console.Error.WriteLineAsync($"{app} {verb}: cannot use the database named by {connectionKey}: {ex.Message}");
            return 1;
        }
    }
}
