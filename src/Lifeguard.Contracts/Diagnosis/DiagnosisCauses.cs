namespace Lifeguard.Diagnosis;

/// <summary>The wire names of <see cref="DiagnosisCause"/>, exactly as other tools (alerts, metric labels, the drill, the CLI, the
/// incident service) match them.</summary>
public static class DiagnosisCauses
{
    /// <summary>Nothing wrong that the pool or the server shows.</summary>
    public const string Healthy = "healthy";
    /// <summary>The pool is pinned at its maximum with requests queued while the server has headroom and queries are not slower.</summary>
    public const string PoolTooSmall = "pool_too_small";
    /// <summary>Some statements got several times slower (e.g. a dropped index); connections are held longer.</summary>
    public const string SlowQueries = "slow_queries";
    /// <summary>The database's CPUs are saturated across most statements.</summary>
    public const string DatabaseCpu = "database_cpu";
    /// <summary>Connections are borrowed and not returned, or the app's sessions sit idle in transaction.</summary>
    public const string ConnectionLeak = "connection_leak";
    /// <summary>Sessions wait on locks behind a root blocker.</summary>
    public const string LockContention = "lock_contention";
    /// <summary>The server's connection slots are used up (SQLSTATE 53300).</summary>
    public const string ConnectionLimit = "connection_limit";
    /// <summary>Round trips to the server grew while its execution did not.</summary>
    public const string NetworkLatency = "network_latency";
    /// <summary>The server refuses or drops connections (down, starting, shutting down).</summary>
    public const string DatabaseUnavailable = "database_unavailable";
    /// <summary>Users suffer (waits, timeouts, errors) and no rule explains it.</summary>
    public const string Unknown = "unknown";
    /// <summary>Requests queue inside the connection pooler (PgBouncer) for one of its server connections, or it refuses clients, while the server has headroom.</summary>
    public const string PoolerSaturated = "pooler_saturated";

    /// <summary>Every cause, healthy first; the metric lifeguard_diagnosis has one series per entry.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        Healthy, PoolTooSmall, SlowQueries, DatabaseCpu, ConnectionLeak, LockContention, ConnectionLimit, NetworkLatency,
        DatabaseUnavailable, Unknown, PoolerSaturated,
    ];

    /// <summary>The wire name of <paramref name="cause"/>, e.g. <c>pool_too_small</c>.</summary>
    public static string NameOf(DiagnosisCause cause) => cause switch
    {
        DiagnosisCause.Healthy => Healthy,
        DiagnosisCause.PoolTooSmall => PoolTooSmall,
        DiagnosisCause.SlowQueries => SlowQueries,
        DiagnosisCause.DatabaseCpu => DatabaseCpu,
        DiagnosisCause.ConnectionLeak => ConnectionLeak,
        DiagnosisCause.LockContention => LockContention,
        DiagnosisCause.ConnectionLimit => ConnectionLimit,
        DiagnosisCause.NetworkLatency => NetworkLatency,
        DiagnosisCause.DatabaseUnavailable => DatabaseUnavailable,
        DiagnosisCause.Unknown => Unknown,
        DiagnosisCause.PoolerSaturated => PoolerSaturated,
        _ => throw new ArgumentOutOfRangeException(nameof(cause), cause, "Not a diagnosis cause."),
    };

    /// <summary>The cause whose wire name is <paramref name="name"/> (ordinal); false when it names none.</summary>
    public static bool TryParse(string? name, out DiagnosisCause cause)
    {
        foreach (var c in Enum.GetValues<DiagnosisCause>())
        {
            if (string.Equals(NameOf(c), name, StringComparison.Ordinal))
            {
                cause = c;
                return true;
            }
        }
        cause = DiagnosisCause.Unknown;
        return false;
    }
}
