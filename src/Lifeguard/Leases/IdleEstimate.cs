using System.Runtime.CompilerServices;

namespace Lifeguard.Leases;

/// <summary>
/// Idle connections when the provider does not report them: the peak of concurrent leases within the provider's idle
/// lifetime (connections the pool still keeps open) less those in use. A mutable struct held in a (non-readonly) field
/// of its tracker, so the open path updates it in place without an extra indirection.
/// </summary>
internal struct IdleEstimate
{
    private readonly TimeSpan _idleLifetime;
    private readonly int _minPoolSize;
    private readonly long _touchInterval;
    private int _peak;
    private long _touchedAt;

    /// <summary>Starts the estimate at <paramref name="now"/> (a timestamp of <paramref name="timestampFrequency"/>).</summary>
    public IdleEstimate(TimeSpan idleLifetime, int minPoolSize, long timestampFrequency, long now)
    {
        _idleLifetime = idleLifetime;
        _minPoolSize = minPoolSize;
        _touchInterval = (long)(idleLifetime.TotalSeconds / 32 * timestampFrequency);
        _touchedAt = now;
    }

    /// <summary>An open brought the leases in use to <paramref name="inUse"/> at <paramref name="now"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // into the tracker's lease start: the hot path
    public void LeaseStarted(int inUse, long now)
    {
        var peak = Volatile.Read(ref _peak);
        if (inUse > peak)
        {
            Interlocked.CompareExchange(ref _peak, inUse, peak);
            Volatile.Write(ref _touchedAt, now);
        }
        else if (inUse == peak && now - Volatile.Read(ref _touchedAt) > _touchInterval)
        {
            // Refreshed at most every 1/32 idle lifetime: a store on every lease would bounce this cache line between
            // cores, and the estimate only asks whether the peak was reached within the idle lifetime.
            Volatile.Write(ref _touchedAt, now);
        }
    }

    /// <summary>The idle connections the provider still keeps, with <paramref name="inUse"/> leased now.</summary>
    public int Idle(int inUse, TimeProvider time)
    {
        var peak = Volatile.Read(ref _peak);
        if (time.GetElapsedTime(Volatile.Read(ref _touchedAt)) > _idleLifetime)
        {
            // Nothing reached the peak for an idle lifetime: the provider has pruned the surplus by now. Compare-and-swap,
            // as the open path does: an open that raised the peak since it was read keeps it (a plain store erased it).
            if (Interlocked.CompareExchange(ref _peak, Math.Max(inUse, _minPoolSize), peak) == peak)
                Volatile.Write(ref _touchedAt, time.GetTimestamp());
            peak = Volatile.Read(ref _peak);
        }
        return Math.Max(0, Math.Max(peak, _minPoolSize) - inUse);
    }
}
