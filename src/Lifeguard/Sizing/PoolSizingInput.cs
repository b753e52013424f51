using System.ComponentModel.DataAnnotations;

namespace Lifeguard.Sizing;

/// <summary>What the sizing advisor needs to know about one application's pool, its fleet and its database server.</summary>
public sealed class PoolSizingInput
{
    /// <summary>Leases (connection opens) per second arriving at ONE instance's pool.</summary>
    [Range(0, double.MaxValue)]
    public double ArrivalRatePerSecond { get; set; }

    /// <summary>How long each lease holds its connection.</summary>
    [Required]
    public HoldTimeDistribution Hold { get; set; } = HoldTimeDistribution.FromMean(TimeSpan.FromMilliseconds(10));

    /// <summary>CPU cores of the database server; with no measured saturation point, useful parallelism is cores × 2 + 1 (HikariCP's rule, one effective spindle).</summary>
    [Range(1, 100_000)]
    public int? DatabaseCores { get; set; }

    /// <summary>Measured number of busy connections beyond which the database's throughput stops growing; overrides <see cref="DatabaseCores"/>.</summary>
    [Range(1, 1_000_000)]
    public int? DatabaseSaturationConnections { get; set; }

    /// <summary>The server's max_connections.</summary>
    [Range(1, 1_000_000)]
    public int? ServerMaxConnections { get; set; }

    /// <summary>Slots applications cannot use: superuser_reserved_connections (+ reserved_connections on PostgreSQL 16+).</summary>
    [Range(0, 1_000_000)]
    public int ReservedConnections { get; set; }

    /// <summary>Connections held by other clients of the same server (other services, admin tools, replication).</summary>
    [Range(0, 1_000_000)]
    public int OtherClientConnections { get; set; }

    /// <summary>Number of application instances, each with its own pool of the recommended size.</summary>
    [Range(1, 100_000)]
    public int Instances { get; set; } = 1;

    /// <summary>The latency goal: at most this wait for a connection at <see cref="WaitGoalQuantile"/>.</summary>
    public TimeSpan WaitGoal { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>The quantile the goal applies to, 0.99 for "p99 wait ≤ goal".</summary>
    [Range(0.5, 0.99999)]
    public double WaitGoalQuantile { get; set; } = 0.99;

    /// <summary>How long a whole request may take; the acquire timeout is set well inside it.</summary>
    public TimeSpan RequestBudget { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Burst headroom: the pool is sized so the goal still holds at this multiple of the measured arrival rate.</summary>
    [Range(1.0, 10.0)]
    public double BurstFactor { get; set; } = 1.3;
}
