using System.Globalization;
using Lifeguard.Cli.Drill.Engine;

namespace Lifeguard.Cli.Drill.Fleet;

/// <summary>
/// The fleet's website instances as the drill and the corpus start them: named fleet-1 … fleet-N (Lifeguard:Instance,
/// so Application Name Lifeguard.Website/fleet-N), each in the registry, the governor on or off, started together; and
/// the wait until every one has joined the registry (with the governor: holds its first cap).
/// </summary>
internal static class FleetInstances
{
    /// <summary>fleet-1 … fleet-<paramref name="count"/>.</summary>
    public static IReadOnlyList<string> Names(int count) => [.. Enumerable.Range(1, count).Select(i => string.Create(CultureInfo.InvariantCulture, $"fleet-{i}"))];

    /// <summary>Starts one website per name on <paramref name="connectionString"/>; when one fails to start, the others
    /// are stopped again before the failure is thrown.</summary>
    public static async Task<List<SiteProcess>> StartAsync(DrillEnvironment env, string connectionString, IReadOnlyList<string> names, bool governor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(env);
        var starting = names.Select(n => SiteProcess.StartAsync(env.Database.Checkout, connectionString, Settings(n, governor), ct)).ToList();
        try
        {
            await Task.WhenAll(starting).ConfigureAwait(false);
        }
        catch
        {
            foreach (var site in starting.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result)) await site.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return [.. starting.Select(t => t.Result)];
    }

    /// <summary>The website's settings for one instance of the fleet.</summary>
    public static Dictionary<string, string> Settings(string instance, bool governor)
    {
        var settings = SiteDatabase.SiteSettings();
        settings["Lifeguard__Instance"] = instance;
        if (governor) settings["Lifeguard__Fleet__Governor"] = "true";
        return settings;
    }

    /// <summary>Waits (at most 30 s) until every instance is in the registry (with the governor: each with its first
    /// cap), so the load meets a fleet that knows itself.</summary>
    public static async Task WaitForRegistryAsync(FleetSampler sampler, IReadOnlyList<string> names, bool governor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sampler);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                var r = await sampler.ReadAsync(ct).ConfigureAwait(false);
                if (names.All(n => r.Caps.ContainsKey(n) && (!governor || r.Caps[n] is not null))) return;
            }
            catch (Npgsql.PostgresException e) when (e.SqlState is Npgsql.PostgresErrorCodes.UndefinedTable or Npgsql.PostgresErrorCodes.InvalidSchemaName)
            {
                // the first instance has not created the registry yet
            }

            if (DateTime.UtcNow > deadline) throw new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"the {names.Count} instances did not all join the fleet registry within 30 s{(governor ? " with a cap" : "")}"));
            await Task.Delay(250, ct).ConfigureAwait(false);
        }
    }
}
