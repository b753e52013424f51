using Lifeguard.Cli.Drill.Engine;
using Lifeguard.Diagnosis;
using Lifeguard.Testing.Faults;

namespace Lifeguard.Cli.Drill.Faults;

/// <summary>The faults `lifeguard drill --fault` injects: for each, the injector and the cause the live diagnoser must name.</summary>
internal static class DrillFaults
{
    public const string Pool = "pool";
    public const string Lock = "lock";
    public const string SlowQuery = "slow-query";
    public const string Cpu = "cpu";
    public const string Leak = "leak";
    public const string ConnectionLimit = "connection-limit";
    public const string Network = "network";
    public const string Restart = "restart";
    public const string Pooler = "pooler";
    public const string Fleet = "fleet";

    /// <summary>Every fault, in the order `--all` runs them.</summary>
    public static IReadOnlyList<string> All { get; } = [Pool, Lock, SlowQuery, Cpu, Leak, ConnectionLimit, Network, Restart, Pooler, Fleet];

    /// <summary>The faults this build can inject.</summary>
    public static IReadOnlyList<string> Implemented { get; } = [Pool, Lock, SlowQuery, Cpu, Leak, ConnectionLimit, Network, Restart, Pooler, Fleet];

    /// <summary>The cause (one of <see cref="DiagnosisCauses"/>) that explains the fault.</summary>
    public static string ExpectedCause(string fault) => fault switch
    {
        Pool => DiagnosisCauses.PoolTooSmall,
        Lock => DiagnosisCauses.LockContention,
        SlowQuery => DiagnosisCauses.SlowQueries,
        Cpu => DiagnosisCauses.DatabaseCpu,
        Leak => DiagnosisCauses.ConnectionLeak,
        ConnectionLimit => DiagnosisCauses.ConnectionLimit,
        Network => DiagnosisCauses.NetworkLatency,
        Restart => DiagnosisCauses.DatabaseUnavailable,
        Pooler => DiagnosisCauses.PoolerSaturated,
        Fleet => DiagnosisCauses.ConnectionLimit,
        _ => throw new ArgumentException($"unknown fault '{fault}': one of {string.Join(", ", All)}", nameof(fault)),
    };

    /// <summary>The injector of <paramref name="fault"/> (any but pool, whose fault is the site's own configuration).</summary>
    /// <param name="fault">One of <see cref="All"/>.</param>
    /// <param name="env">The drill's database, relay and options.</param>
    /// <param name="siteUrl">The running site's public address (the leak is injected through its route).</param>
    public static IFaultInjector Create(string fault, DrillEnvironment env, Func<Uri> siteUrl)
    {
        ArgumentNullException.ThrowIfNull(env);
        var direct = env.Database.DirectConnectionString;
        return fault switch
        {
            Network => new NetworkDelayFault(env.Relay, env.Options.NetworkFaultDelay),
            Leak => new LeakInjector(siteUrl, 2),
            Lock => new LockHolder(direct, "orders"),
            ConnectionLimit => new SlotFiller(direct),
            SlowQuery => new IndexDrop(direct, "orders_workspace_created", "orders (workspace_id, created_at)"),
            Cpu => new CpuBurner(direct, Math.Max(4, env.Cores * 4)),
            Restart => new DatabaseRestart(env.Database, env.Options.RestartDowntime),
            // PgBouncer itself is started by the scenario before the site (it must connect through it): see FaultScenario.
            Pooler => throw new InvalidOperationException("the pooler fault is created with its PgBouncer: DrillFaults.StartPoolerAsync and PoolerShrink"),
            Fleet => throw new InvalidOperationException("the fleet drill runs its own scenario on a server of its own: Fleet.FleetScenario"),
            _ => throw new InvalidOperationException($"the {fault} fault is not implemented yet (implemented: {string.Join(", ", Implemented)})"),
        };
    }

    /// <summary>The pooler fault's PgBouncer, started in front of the relay with its pool at the site's pool size.</summary>
    public static Task<DrillPgBouncer> StartPoolerAsync(DrillEnvironment env, int poolSize, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(env);
        var direct = new Npgsql.NpgsqlConnectionStringBuilder(env.Database.DirectConnectionString);
        return DrillPgBouncer.StartAsync("127.0.0.1", env.Relay.Port, direct.Database ?? "lifeguard", direct.Username ?? "lifeguard", direct.Password ?? "", poolSize, ct);
    }
}
