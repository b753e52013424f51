using Lifeguard.Cli.Drill.Reporting;
using Lifeguard.Testing.Network;

namespace Lifeguard.Cli.Drill.Engine;

/// <summary>
/// What every scenario runs in, prepared once per drill: the database and the relay to it, the drill's own server
/// session, the logged-in users, the clock and timeline, the phase runner and the narrator. Services, each owning its
/// state; a scenario keeps its own results in locals.
/// </summary>
internal sealed class DrillEnvironment : IAsyncDisposable
{
    private DrillEnvironment(DrillOptions options, SiteDatabase database, DelayRelay relay, ServerProbe server, DrillNarrator narrator, int users, int budget)
    {
        Options = options;
        Database = database;
        Relay = relay;
        Server = server;
        Narrator = narrator;
        Budget = budget;
        Timeline = new DrillTimeline(TimeProvider.System);
        Load = new DrillLoad(options, users, server, narrator);
        Phases = new PhaseRunner(options, Timeline, Load, server, narrator);
    }

    public DrillOptions Options { get; }
    public SiteDatabase Database { get; }
    /// <summary>The path between every site the drill starts and PostgreSQL (the incident's network hop).</summary>
    public DelayRelay Relay { get; }
    public ServerProbe Server { get; }
    public DrillNarrator Narrator { get; }
    public DrillTimeline Timeline { get; }
    public DrillLoad Load { get; }
    public PhaseRunner Phases { get; }
    /// <summary>The server's usable connections, read before any site started.</summary>
    public int Budget { get; }
    /// <summary>The database's cores (this machine's: the private cluster runs here).</summary>
    public int Cores { get; } = Environment.ProcessorCount;

    /// <summary>Opens the relay and the drill's server session, counts the seeded users and starts the clock.</summary>
    public static async Task<DrillEnvironment> OpenAsync(DrillOptions options, SiteDatabase database, DrillNarrator narrator, CancellationToken ct)
    {
        var relay = new DelayRelay("127.0.0.1", options.PgPort, options.NetworkDelay);
        var server = new ServerProbe(database.DirectConnectionString);
        try
        {
            await server.OpenAsync(ct).ConfigureAwait(false);
            var budget = await server.UsableConnectionsAsync(ct).ConfigureAwait(false);
            // A database seeded earlier at a smaller scale may hold fewer users than the drill would log in.
            var users = Math.Min(options.Users, await database.SeededUsersAsync(ct).ConfigureAwait(false));
            if (users < 1) throw new InvalidOperationException("the database has no seeded users (user00001@lifeguard.local...): seed it with `dotnet Website.dll seed`.");
            var environment = new DrillEnvironment(options, database, relay, server, narrator, users, budget);
            environment.Timeline.Start();
            return environment;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            await relay.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The website's connection string through the relay, with the given pool settings.</summary>
    public string SiteConnectionString(int maxPoolSize, int timeoutSeconds) => Database.SiteConnectionString(Relay.Port, maxPoolSize, timeoutSeconds);

    /// <summary>What the drill was configured with, for the report.</summary>
    public DrillSettings Settings(int poolSize, double normalRate, double peakRate) =>
        new(poolSize, Options.NetworkDelay.TotalMilliseconds, Options.Slo.TotalMilliseconds, normalRate, peakRate, Load.Users, Cores, Budget);

    public async ValueTask DisposeAsync()
    {
        Load.Dispose();
        await Server.DisposeAsync().ConfigureAwait(false);
        await Relay.DisposeAsync().ConfigureAwait(false);
    }
}
