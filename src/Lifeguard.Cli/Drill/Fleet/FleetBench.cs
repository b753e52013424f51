using System.Globalization;
using Lifeguard.Cli.Drill.Engine;
using Lifeguard.Cli.Drill.Reporting;
using Npgsql;

namespace Lifeguard.Cli.Drill.Fleet;

/// <summary>
/// The fleet's own server, ready for instances: the small PostgreSQL (<see cref="FleetCluster"/>), its seeded database,
/// the drill environment on it (relay, users, clock), the operator session (opened before any instance, so it still
/// reads when the slots are full) and the sampler on it. Shared by the fleet drill and the corpus's fleet scenarios;
/// disposed in the reverse order, the cluster stopped only when this run started it.
/// </summary>
internal sealed class FleetBench : IAsyncDisposable
{
    /// <summary>The fleet's data: a dashboard reads the same rows at any scale; the seed only needs users for every instance.</summary>
    public const double SeedScale = 0.04;

    private FleetBench(FleetCluster cluster, SiteDatabase database, DrillEnvironment env, NpgsqlConnection op)
    {
        Cluster = cluster;
        Database = database;
        Env = env;
        Operator = op;
        Sampler = new FleetSampler(op);
    }

    public FleetCluster Cluster { get; }
    public SiteDatabase Database { get; }
    /// <summary>The drill environment on the fleet's server: its relay, users and timeline.</summary>
    public DrillEnvironment Env { get; }
    public NpgsqlConnection Operator { get; }
    public FleetSampler Sampler { get; }

    /// <summary>Starts (or uses) the fleet's server on <paramref name="port"/> with <paramref name="maxConnections"/>,
    /// seeds it once and opens the environment with <paramref name="options"/> pointed at it; the registry is left as found.</summary>
    public static async Task<FleetBench> OpenAsync(DrillOptions options, int port, int maxConnections, DrillNarrator say, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(say);
        var cluster = await FleetCluster.StartAsync(Checkout.Find(), port, maxConnections, say.Say, ct).ConfigureAwait(false);
        SiteDatabase? database = null;
        DrillEnvironment? env = null;
        NpgsqlConnection? op = null;
        try
        {
            var fleetOptions = options with { PgPort = cluster.Port, PgDataDir = cluster.DataDir };
            database = await SiteDatabase.PrepareAsync(cluster.Port, cluster.DataDir, SeedScale, say.Say, ct).ConfigureAwait(false);
            env = await DrillEnvironment.OpenAsync(fleetOptions, database, say, ct).ConfigureAwait(false);
            op = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database.DirectConnectionString) { Pooling = false, ApplicationName = Scenarios.FaultScenario.OperatorApplication }.ConnectionString);
            await op.OpenAsync(ct).ConfigureAwait(false);
            return new FleetBench(cluster, database, env, op);
        }
        catch
        {
            if (op is not null) await op.DisposeAsync().ConfigureAwait(false);
            if (env is not null) await env.DisposeAsync().ConfigureAwait(false);
            if (database is not null) await database.DisposeAsync().ConfigureAwait(false);
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Closed-loop users per instance the seeded database allows (at most <paramref name="wanted"/>).</summary>
    public async Task<int> UsersPerInstanceAsync(int instances, int wanted, CancellationToken ct)
    {
        var seeded = await Database.SeededUsersAsync(ct).ConfigureAwait(false);
        var users = Math.Min(wanted, seeded / instances);
        if (users < 2) throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"the fleet's database has {seeded} seeded users: {instances} instances need at least 2 each"));
        return users;
    }

    public async ValueTask DisposeAsync()
    {
        await Operator.DisposeAsync().ConfigureAwait(false);
        await Env.DisposeAsync().ConfigureAwait(false);
        await Database.DisposeAsync().ConfigureAwait(false);
        await Cluster.DisposeAsync().ConfigureAwait(false);
    }
}
