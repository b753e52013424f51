using System.ComponentModel.DataAnnotations;

namespace Lifeguard.Diagnosis;

/// <summary>Thresholds of the diagnosis rules. Each default is what the rule's discriminating test needs to tell its
/// cause from the others on a real server without naming a cause for a single noisy second.</summary>
public sealed class DiagnosisOptions
{
    /// <summary>A cause is named only when its stated confidence reaches this; below it the diagnosis is unknown with the
    /// leading candidates. With <see cref="CalibrateConfidence"/> (the default) it is a hit rate: name a cause only when
    /// causes stated that way were right at least this share of the time on the accuracy corpus (0.75: three times in
    /// four). 0: off.</summary>
    [Range(0, 1)]
    public double MinConfidence { get; set; } = 0.75;

    /// <summary>Whether the confidence stated for a cause is calibrated (its rule's strength times its share of the window,
    /// mapped to the hit rate measured on the accuracy corpus, docs/accuracy.md) or that raw score.</summary>
    public bool CalibrateConfidence { get; set; } = true;

    /// <summary>Seconds a rule is judged over.</summary>
    [Range(1, 600)]
    public int WindowSeconds { get; set; } = 5;

    /// <summary>Seconds within the window a rule must hold before its cause is named.</summary>
    [Range(1, 600)]
    public int SustainSeconds { get; set; } = 3;

    /// <summary>Seconds within the window a named cause must still hold to stay named (at most the sustain): fewer than
    /// it takes to be named, so a cause that holds in about half the seconds on a noisy host does not flicker between
    /// itself and unknown or healthy. Costs one second more to return to healthy after a fault.</summary>
    [Range(1, 600)]
    public int StaySeconds { get; set; } = 2;

    /// <summary>For the unambiguous error causes (database_unavailable, connection_limit): seconds within the window.</summary>
    [Range(1, 600)]
    public int ErrorSustainSeconds { get; set; } = 2;

    /// <summary>Per-second history kept for the live page's charts (15 minutes: an incident's start is still on screen while
    /// it is worked on) and for how long a restart stays in the evidence.</summary>
    [Range(10, 86_400)]
    public int HistorySeconds { get; set; } = 900;

    /// <summary>Healthy seconds with traffic needed before growth against a baseline (hold times, round trip) is judged.</summary>
    [Range(1, 3600)]
    public int BaselineMinSeconds { get; set; } = 5;

    /// <summary>pool_too_small needs the pool pinned at its maximum with waiters; hold p99 at or above this many times its
    /// baseline means the queries got slower instead (slow_queries).</summary>
    [Range(1.1, 1000)]
    public double HoldGrowthFactor { get; set; } = 3;

    /// <summary>Hold p99 must also grow by at least this much (ms) to count: a 0.2 ms hold tripling is noise.</summary>
    [Range(0, 100_000)]
    public double HoldGrowthMinMs { get; set; } = 20;

    /// <summary>A statement is slower when its recent mean is at least this many times its baseline mean.</summary>
    [Range(1.1, 1000)]
    public double StatementGrowthFactor { get; set; } = 3;

    /// <summary>... and its recent mean is at least this long (ms).</summary>
    [Range(0, 100_000)]
    public double StatementMinMeanMs { get; set; } = 5;

    /// <summary>Slowed statements taking at least this share of the server's execution time make slow_queries the root
    /// when the CPU is saturated too (they are what burns it).</summary>
    [Range(0.01, 1)]
    public double StatementRootShare { get; set; } = 0.5;

    /// <summary>database_cpu: active sessions on CPU at or above cores times this.</summary>
    [Range(0.1, 100)]
    public double CpuSaturation { get; set; } = 1;

    /// <summary>database_cpu, where the server's CPU use can be measured: at least cores times this is used. It rules out
    /// sessions that only look on CPU at the sampling instant; it is not higher because on a crowded host runnable
    /// sessions get less CPU than they queue for.</summary>
    [Range(0.1, 1)]
    public double CpuUsedSaturation { get; set; } = 0.5;

    /// <summary>database_cpu, diagnosing an application: with no request queued and fewer sessions on CPU than twice the
    /// cores, its connection hold p99 must be at least this many times its baseline, or the busy cores are not what hurts it.</summary>
    [Range(1, 1000)]
    public double CpuHoldGrowthFactor { get; set; } = 1.5;

    /// <summary>database_cpu, where the host's CPU can be read: a host this busy (0..1) confirms the sessions queue for CPU.</summary>
    [Range(0.1, 1)]
    public double HostCpuSaturation { get; set; } = 0.9;

    /// <summary>lock_contention: the longest lock wait lasts at least this long (ms) — shorter waits are ordinary.</summary>
    [Range(0, 3_600_000)]
    public double LockWaitMinMs { get; set; } = 1000;

    /// <summary>connection_leak: the application's sessions idle in transaction for at least this long (s).</summary>
    [Range(0.1, 86_400)]
    public double IdleInTransactionLeakSeconds { get; set; } = 30;

    /// <summary>connection_limit: free slots at or below this count as the limit reached.</summary>
    [Range(0, 10_000)]
    public int ConnectionLimitFreeSlots { get; set; }

    /// <summary>network_latency: the trivial query's round trip at least this many times its baseline...</summary>
    [Range(1.1, 1000)]
    public double RoundTripGrowthFactor { get; set; } = 3;

    /// <summary>... and at least this much longer (ms).</summary>
    [Range(0, 100_000)]
    public double RoundTripMinIncreaseMs { get; set; } = 20;

    /// <summary>... unless the sampling host's own timer lag is at least this share of the increase: a CPU-starved host
    /// wakes late for every reply, and that is not the network.</summary>
    [Range(0.01, 100)]
    public double HostLagShareOfRoundTrip { get; set; } = 0.5;

    /// <summary>When the pool is pinned but fewer than this share of its leased connections run a statement on the server
    /// (the application's sessions, by application_name), the connections are held between statements: the pool
    /// diagnosis says so, since shortening that hold frees connections that a bigger pool would only add to.</summary>
    [Range(0.01, 1)]
    public double HeldIdleShare { get; set; } = 0.5;

    /// <summary>A queue in the application's pool no deeper than this many requests per connection, whose waits stay under
    /// <see cref="BurstWaitMs"/> and that times out nothing, is a burst the pool absorbs (busy traffic on a starved host:
    /// the queue drains within a hold or two): neither a symptom nor a pool too small. A pool too small for its load
    /// queues deeper than that within a second or two (the accuracy corpus: its busy control peaked at 1.5 per connection,
    /// the pool faults passed 3 per connection within two seconds).</summary>
    [Range(0, 1000)]
    public double BurstQueuePerConnection { get; set; } = 1.5;

    /// <summary>The wait p99 (ms) under which a shallow queue counts as a burst the pool absorbs (see
    /// <see cref="BurstQueuePerConnection"/>; the corpus's busy control peaked at 754 ms).</summary>
    [Range(0, 3_600_000)]
    public double BurstWaitMs { get; set; } = 800;

    /// <summary>How long the pooler's oldest waiting client must have waited (ms) for its queue to count when its active
    /// server connections are below the pool size (at the pool size, any waiting client counts).</summary>
    [Range(0, 3_600_000)]
    public double PoolerWaitMinMs { get; set; } = 100;

    /// <summary>An active server connection of the pooler running this long (s) is a holder the diagnosis names (a report,
    /// a long transaction through the pooler).</summary>
    [Range(0.1, 86_400)]
    public double PoolerHolderSeconds { get; set; } = 5;
}
