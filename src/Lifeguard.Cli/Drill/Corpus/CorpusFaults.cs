using System.Globalization;
using Lifeguard.Cli.Drill.Engine;
using Lifeguard.Cli.Drill.Faults;
using Lifeguard.Diagnosis;
using Lifeguard.Testing.Faults;

namespace Lifeguard.Cli.Drill.Corpus;

/// <summary>
/// The corpus's faults and red herrings, each with what its intensity means: the drill's own injectors, made weaker or
/// stronger. A fault's duration is the scenario's fault_s (a lock held that long, the database down that long).
/// </summary>
internal static class CorpusFaults
{
    public const string None = "none";
    /// <summary>Red herring: a CPU-heavy report (intensity: sessions) on a table the site never reads.</summary>
    public const string ReportHerring = "report";
    /// <summary>Red herring: a lock queue on a table the site never reads.</summary>
    public const string LockElsewhere = "lock-elsewhere";
    /// <summary>Red herring: another client's idle connections (intensity: how many), far from the limit.</summary>
    public const string IdleClient = "idle-client";
    /// <summary>Red herring: this host's CPU kept busy by another process's threads (intensity: threads), not the database's.</summary>
    public const string HostNoise = "host-noise";
    /// <summary>Red herring: other processes on this host spinning its cores (intensity: processes), a noisy neighbour.</summary>
    public const string Neighbour = "neighbour";

    /// <summary>Fault: the pooler's pool for the site's pair shrunk to intensity server connections (1: the pooler drill's
    /// own fault, one connection shared with a batch job). Puts a PgBouncer in front of the site.</summary>
    public const string PoolerShrunk = "pooler";
    /// <summary>Fault: a report job holding intensity of the pooler's server connections with long statements. Puts a
    /// PgBouncer in front of the site.</summary>
    public const string PoolerHeld = "pooler-holder";

    /// <summary>Fault: a fleet of intensity website instances (each with the scenario's pool, by default
    /// <see cref="FleetPoolSize"/>) on the fleet drill's small server, together over its slots, under a surge of users.</summary>
    public const string Fleet = DrillFaults.Fleet;
    public const int FleetMinInstances = 2;
    public const int FleetMaxInstances = 6;
    /// <summary>A fleet instance's Maximum Pool Size when the scenario does not say: the fleet drill's, fine alone, two
    /// instances of it over the fleet's server.</summary>
    public const int FleetPoolSize = 12;
    /// <summary>Second faults a fleet scenario can carry: injected on the fleet's server as on the corpus's.</summary>
    public static IReadOnlyList<string> FleetSecondFaults { get; } = [DrillFaults.Lock, DrillFaults.SlowQuery, DrillFaults.Cpu, DrillFaults.Network];

    /// <summary>Faults. Intensity: pool — the site's Maximum Pool Size (the fault phase's traffic is load_factor times
    /// what it serves); cpu — burner sessions; leak — leaks per second; connection-limit — slots taken (500: every free
    /// one); network — one-way delay in ms; pooler — the pooler's pool size; pooler-holder — server connections held; fleet —
    /// website instances (2..6); lock,
    /// slow-query, restart — none (fault_s is the strength).</summary>
    public static IReadOnlyList<string> Kinds { get; } =
        [None, DrillFaults.Pool, DrillFaults.Lock, DrillFaults.SlowQuery, DrillFaults.Cpu, DrillFaults.Leak, DrillFaults.ConnectionLimit, DrillFaults.Network, DrillFaults.Restart, PoolerShrunk, PoolerHeld, Fleet];

    /// <summary>Faults that need a PgBouncer in front of the site.</summary>
    public static bool NeedsPooler(string kind) => kind is PoolerShrunk or PoolerHeld;

    public static IReadOnlyList<string> Herrings { get; } = [ReportHerring, LockElsewhere, IdleClient, HostNoise, Neighbour];

    /// <summary>Answers whose remedy hurts when they are not the cause: growing the pool, ending a session that is not
    /// the root blocker, ending another client's sessions for slots.</summary>
    public static IReadOnlyList<string> DefaultHarmful { get; } = [DiagnosisCauses.PoolTooSmall, DiagnosisCauses.LockContention, DiagnosisCauses.ConnectionLimit];

    public static double DefaultIntensity(string kind) => kind switch
    {
        DrillFaults.Pool => 2,
        DrillFaults.Cpu => 8,
        DrillFaults.Leak => 2,
        DrillFaults.ConnectionLimit => 500,
        DrillFaults.Network => 100,
        PoolerShrunk => 1,
        PoolerHeld => 10,
        Fleet => 3,
        _ => 1,
    };

    /// <summary>The injector of a fault or herring; null for none and pool (the pool's fault is the site's own size).</summary>
    /// <param name="pooler">The PgBouncer in front of the site, when the scenario has one, and the site's connection string through it.</param>
    public static IFaultInjector? Create(CorpusFaultDraw draw, CorpusScenario scenario, DrillEnvironment env, Func<Uri> siteUrl, (DrillPgBouncer Bouncer, string SiteConnectionString)? pooler = null)
    {
        if (NeedsPooler(draw.Kind) && pooler is null) throw new CliException(string.Create(CultureInfo.InvariantCulture, $"the {draw.Kind} fault needs the scenario's PgBouncer"));
        var direct = env.Database.DirectConnectionString;
        var n = Math.Max(1, (int)Math.Round(draw.Intensity));
        return draw.Kind switch
        {
            // the fleet's fault is its instances' own pools, started by the fleet runner
            None or DrillFaults.Pool or Fleet => null,
            DrillFaults.Lock => new LockHolder(direct, "orders"),
            DrillFaults.SlowQuery => new IndexDrop(direct, "orders_workspace_created", "orders (workspace_id, created_at)"),
            DrillFaults.Cpu => new CpuBurner(direct, n),
            DrillFaults.Leak => new LeakInjector(siteUrl, Math.Max(0.2, draw.Intensity)),
            DrillFaults.ConnectionLimit => new SlotFiller(direct, n),
            DrillFaults.Network => new NetworkDelayFault(env.Relay, TimeSpan.FromMilliseconds(draw.Intensity)),
            DrillFaults.Restart => new DatabaseRestart(env.Database, TimeSpan.FromSeconds(scenario.FaultS)),
            ReportHerring => new ReportHerring(direct, n),
            LockElsewhere => new ElsewhereLock(direct),
            IdleClient => new IdleClient(direct, n),
            HostNoise => new HostNoise(n),
            Neighbour => new NoisyNeighbour(n),
            // One connection: the pooler drill's own fault, as it is (with its batch job); more: the pool shrunk, nothing else.
            PoolerShrunk => n <= PoolerShrink.ShrunkSize
                ? new PoolerShrink(pooler!.Value.Bouncer, pooler.Value.Bouncer.PoolSize, pooler.Value.SiteConnectionString)
                : new CorpusPoolerResize(pooler!.Value.Bouncer, n),
            PoolerHeld => new CorpusPoolerHold(pooler!.Value.SiteConnectionString, n),
            _ => throw new CliException(string.Create(CultureInfo.InvariantCulture, $"no injector for '{draw.Kind}'")),
        };
    }
}
