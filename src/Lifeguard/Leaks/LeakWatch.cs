using System.Collections.Concurrent;
using System.Diagnostics;
using Lifeguard.Attribution;
using Lifeguard.Leases;
using Lifeguard.Telemetry;
using Microsoft.Extensions.Logging;

namespace Lifeguard.Leaks;

/// <summary>
/// The leak detector of one pool: a lease held past the threshold is reported (log, metric, recent reports) with the
/// stack that borrowed it, and again when it comes back. Only leases opened while detection is on are watched.
/// </summary>
internal sealed class LeakWatch
{
    private readonly string _poolName;
    private readonly TimeSpan _threshold;
    private readonly TimeProvider _time;
    private readonly GuardMetrics _metrics;
    private readonly ILogger _logger;
    private readonly double _timestampToTicks;
    private readonly LeakLog _log;
    // Leases under watch, keyed by id: keeps a forgotten connection's lease (and its timer) reachable even when the
    // caller dropped every reference to the connection, so the leak is still reported.
    private readonly ConcurrentDictionary<long, Lease> _watched = new();
    private long _ids;
    private long _leaks;
    private int _active;

    public LeakWatch(string poolName, TimeSpan threshold, int recentCapacity, TimeProvider time, GuardMetrics metrics, ILogger logger)
    {
        _poolName = poolName;
        _threshold = threshold;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        _timestampToTicks = (double)TimeSpan.TicksPerSecond / time.TimestampFrequency;
        _log = new LeakLog(recentCapacity);
    }

    /// <summary>Leaks reported since start.</summary>
    public long Total => Volatile.Read(ref _leaks);

    /// <summary>Reported leases not returned yet.</summary>
    public int Active => Volatile.Read(ref _active);

    /// <summary>The most recent reports, newest first.</summary>
    public IReadOnlyList<LeakReport> Recent() => _log.Snapshot();

    /// <summary>Watches a lease that just started: its timer fires at the threshold unless it ends first.</summary>
    public void Watch(Lease lease, StackTrace? stack)
    {
        // Lease ids exist only for leak reports: the plain lease count is derived from the hold histogram.
        lease.Id = Interlocked.Increment(ref _ids);
        lease.Stack = stack;
        _watched[lease.Id] = lease;
        lease.LeakTimer = _time.CreateTimer(static s => ((Lease)s!).OnLeakTimer(), lease, _threshold, Timeout.InfiniteTimeSpan);
    }

    /// <summary>A watched lease ended at <paramref name="now"/>: stops its timer and, if it was reported, reports its return.</summary>
    public void End(Lease lease, long now)
    {
        LeakReport? leak;
        _watched.TryRemove(lease.Id, out _);
        lock (lease)
        {
            lease.Ended = true;
            lease.LeakTimer!.Dispose();
            leak = lease.Leak;
        }
        if (leak is not null)
        {
            var held = new TimeSpan((long)((now - lease.StartedAt) * _timestampToTicks));
            // Reports are immutable (they leave the process as JSON): the log's entry is replaced by the returned one.
            _log.Replace(leak, leak with { ReturnedAt = _time.GetUtcNow(), HeldFor = held });
            Interlocked.Decrement(ref _active);
            LeaseLog.LeakReturned(_logger, _poolName, leak.Id, leak.Operation ?? OperationTable.Unknown, held.TotalSeconds);
        }
        // Leases with timers are not recycled: a late timer callback must never see a reused lease.
    }

    /// <summary>A watched lease's timer fired: it is held past the threshold, unless it ended meanwhile.</summary>
    public void Suspected(Lease lease)
    {
        LeakReport report;
        lock (lease)
        {
            if (lease.Ended || lease.Leak is not null) return;
            var now = _time.GetUtcNow();
            var held = _time.GetElapsedTime(lease.StartedAt);
            report = new LeakReport
            {
                Id = lease.Id, PoolName = _poolName, Operation = lease.Operation,
                StackTrace = lease.Stack?.ToString() ?? "(no stack captured)", AcquiredAt = now - held, DetectedAt = now,
            };
            lease.Leak = report;
        }
        // The report goes into the log before the counters move: a reader that sees the leak counted also finds it.
        _log.Add(report);
        Interlocked.Increment(ref _leaks);
        Interlocked.Increment(ref _active);
        _metrics.Leak();
        LeaseLog.LeakSuspected(_logger, _poolName, report.Id, report.Operation ?? OperationTable.Unknown, _threshold.TotalSeconds, report.StackTrace);
    }
}
