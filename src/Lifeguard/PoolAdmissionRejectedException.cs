using System.Data.Common;

namespace Lifeguard;

/// <summary>Thrown instead of queueing when the pool is saturated and a connection could not be had within
/// <see cref="LifeguardOptions.AdmissionBudget"/>; web layers map it to 503 with Retry-After.</summary>
public sealed class PoolAdmissionRejectedException : DbException
{
    /// <summary>Creates the exception for a pool, its budget and the advised retry delay.</summary>
    public PoolAdmissionRejectedException(string poolName, TimeSpan budget, TimeSpan retryAfter, Exception? inner = null)
        : base($"Connection pool '{poolName}' is saturated: no connection within the admission budget of {budget.TotalMilliseconds:0} ms; retry after {retryAfter.TotalSeconds:0} s.", inner)
    {
        PoolName = poolName;
        Budget = budget;
        RetryAfter = retryAfter;
    }

    /// <summary>Creates the exception with a message only (for serializers and tooling).</summary>
    public PoolAdmissionRejectedException() : this("unknown", TimeSpan.Zero, TimeSpan.FromSeconds(1)) { }

    /// <summary>Creates the exception with a message only (for serializers and tooling).</summary>
    public PoolAdmissionRejectedException(string message) : base(message) { PoolName = "unknown"; RetryAfter = TimeSpan.FromSeconds(1); }

    /// <summary>Creates the exception with a message and inner exception.</summary>
    public PoolAdmissionRejectedException(string message, Exception inner) : base(message, inner) { PoolName = "unknown"; RetryAfter = TimeSpan.FromSeconds(1); }

    /// <summary>The <c>db.client.connection.pool.name</c> of the rejecting pool.</summary>
    public string PoolName { get; }

    /// <summary>How long the open was allowed to wait.</summary>
    public TimeSpan Budget { get; }

    /// <summary>How long the caller should wait before retrying.</summary>
    public TimeSpan RetryAfter { get; }
}
