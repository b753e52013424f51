using Lifeguard.Diagnosis;

namespace Lifeguard.Cli.Drill.Faults;

/// <summary>The faults `lifeguard drill --fault` injects, and the cause the live diagnoser must name for each.</summary>
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

    /// <summary>Every fault, in the order `--all` runs them.</summary>
    public static IReadOnlyList<string> All { get; } = [Pool, Lock, SlowQuery, Cpu, Leak, ConnectionLimit, Network, Restart];

    /// <summary>The faults this build can inject.</summary>
    public static IReadOnlyList<string> Implemented { get; } = [Pool, Lock, SlowQuery, Cpu, Leak, ConnectionLimit, Network, Restart];

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
        _ => throw new ArgumentException($"unknown fault '{fault}': one of {string.Join(", ", All)}", nameof(fault)),
    };
}
