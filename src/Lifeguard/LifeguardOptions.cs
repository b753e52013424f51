using System.ComponentModel.DataAnnotations;
using Lifeguard.Diagnosis;

namespace Lifeguard;

/// <summary>Settings of a <see cref="GuardedDataSource"/>: pool identity, leak detection, attribution,
/// admission control and the health thresholds. Every property has a safe default.</summary>
public sealed class LifeguardOptions
{
    /// <summary>Value of the <c>db.client.connection.pool.name</c> tag; null derives "host:port/database" from the connection string.</summary>
    [MaxLength(200)]
    public string? PoolName { get; set; }

    /// <summary>The pool's maximum size; null reads <c>Maximum Pool Size</c>/<c>Max Pool Size</c> from the connection string (default 100).</summary>
    [Range(1, 100_000)]
    public int? MaxPoolSize { get; set; }

    /// <summary>A lease held longer than this is reported as a leak (with the borrower's stack); null turns leak detection off.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan? LeakDetectionThreshold { get; set; }

    /// <summary>How many leak reports <see cref="PoolSnapshot.RecentLeaks"/> keeps (oldest dropped first).</summary>
    [Range(1, 10_000)]
    public int RecentLeakCapacity { get; set; } = 50;

    /// <summary>Whether hold times are attributed to the ambient operation (route) that took the lease.</summary>
    public bool TrackOperations { get; set; } = true;

    /// <summary>Distinct operation names kept; further names are folded into <c>other</c> so cardinality stays bounded.</summary>
    [Range(1, 10_000)]
    public int MaxOperations { get; set; } = 100;

    /// <summary>Admission control: when the pool is saturated, an open that would wait longer than this fails fast with
    /// <see cref="PoolAdmissionRejectedException"/>; null (the default) queues up to the provider's own timeout.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan? AdmissionBudget { get; set; }

    /// <summary>Retry-After advised to callers rejected by admission control.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan AdmissionRetryAfter { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Health turns Degraded when the p99 wait over <see cref="HealthWindow"/> exceeds this.</summary>
    [Range(typeof(TimeSpan), "00:00:00.0001", "00:10:00")]
    public TimeSpan WaitP99Slo { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Health turns Unhealthy when a pool timeout happened within this window; the wait p99 also covers it.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan HealthWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Read exact idle counts from the provider's own meter (OTel pool convention), when it publishes one.</summary>
    public bool ReadProviderPoolCounts { get; set; } = true;

    /// <summary>The provider's meter; null uses the provider assembly's name (e.g. "Npgsql").</summary>
    [MaxLength(200)]
    public string? ProviderMeterName { get; set; }

    /// <summary>The provider's <c>db.client.connection.pool.name</c>; null uses the data source's connection string, which is
    /// what Npgsql reports for a data source without a Name.</summary>
    public string? ProviderPoolName { get; set; }

    /// <summary>Optional exact pool counts from any source; wins over the provider meter. Without either, idle is estimated.</summary>
    public Func<PoolCounts?>? PoolCountsProvider { get; set; }

    /// <summary>Classifies the provider's errors from their types (e.g. Lifeguard.Postgres' SQLSTATE classifier); null judges
    /// by exception type only (a TimeoutException inside is a pool timeout).</summary>
    public IConnectionErrorClassifier? ErrorClassifier { get; set; }
}
