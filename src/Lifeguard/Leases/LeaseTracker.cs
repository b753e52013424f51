using System.Data.Common;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Lifeguard.Attribution;
using Lifeguard.Diagnosis;
using Lifeguard.Leaks;
using Lifeguard.Telemetry;
using Lifeguard.Timing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lifeguard.Leases;

/// <summary>All lease bookkeeping of one guarded pool: counters, histograms, attribution, leaks.</summary>
internal sealed partial class LeaseTracker : IDisposable
{
    private readonly LifeguardOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConnectionStringFacts _facts;
    // Without attribution the guard keeps one hold histogram; with it, overall hold is merged from the per-operation
    // ones when a snapshot is taken, so a lease records its hold time once.
    private readonly LatencyHistogram? _hold;
    private readonly WindowedHistogram _recentWait;
    private readonly RecentEvents _recentTimeouts;
    private readonly RecentEvents _recentRejections;
    private readonly OperationTable? _operations;
    private readonly LeakLog _leakLog;
    // Each thread's journal for the pool it used last (hot path), and for every pool it used (a thread may serve several).
    [ThreadStatic] private static LeaseJournal? t_journal;
    [ThreadStatic] private static List<LeaseJournal>? t_journals;
    // Every live journal, copy-on-write under _foldLock; folded into the histograms below whenever they are read.
    private LeaseJournal[] _journals = [];
    private readonly Lock _foldLock = new();
    private readonly double _timestampToMicros;
    private volatile bool _disposed;
    private readonly TimeSpan? _leakThreshold;
    private int _inUse;
    private int _waiters;
    private long _leakIds;
    // Leases under leak watch, keyed by id: keeps a forgotten connection's lease (and its timer) reachable even when
    // the caller dropped every reference to the connection, so the leak is still reported.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, Lease> _watched = new();
    private long _timeouts;
    private long _rejections;
    private long _errors;
    private long _leaks;
    private int _activeLeaks;
    private int _peakInUse;
    private long _peakTouchedAt;
    private readonly long _peakTouchInterval;

    private readonly ProviderMeterPoolCounts? _providerCounts;
    private readonly IConnectionErrorClassifier? _classifier;
    // Errors by ConnectionErrorKind (opens and reported query errors), for the diagnoser's per-second deltas.
    private readonly long[] _errorsByKind = new long[Enum.GetValues<ConnectionErrorKind>().Length];
    // Every wait since start (the windowed one rotates): the diagnoser takes per-second deltas of it. Waited opens
    // record here (the slow path); zero waits are folded in from the journals with the recent-wait zeros.
    private readonly LatencyHistogram _waitTotal = new();

    public LeaseTracker(LifeguardOptions options, string? connectionString, IMeterFactory? meterFactory, ILoggerFactory? loggerFactory, TimeProvider? time,
        string? providerName = null)
    {
        _options = options;
        // On the system clock the guard times leases with the CPU counter where that is safe (Timing/CpuTimestampClock);
        // every timestamp of this tracker then comes from it, so windows and leak timers agree on units.
        _systemClock = time is null || ReferenceEquals(time, TimeProvider.System);
        _time = _systemClock && CpuTimestampClock.Instance is { } counter ? counter : time ?? TimeProvider.System;
        _logger = (ILogger?)loggerFactory?.CreateLogger("Lifeguard.GuardedDataSource") ?? NullLogger.Instance;
        _facts = ConnectionStringFacts.Parse(connectionString);
        PoolName = options.PoolName ?? _facts.PoolName;
        Max = options.MaxPoolSize ?? _facts.MaxPoolSize;
        _leakThreshold = options.LeakDetectionThreshold;
        _classifier = options.ErrorClassifier;
        _recentWait = new WindowedHistogram(_time, options.HealthWindow);
        _recentTimeouts = new RecentEvents(_time, options.HealthWindow);
        _recentRejections = new RecentEvents(_time, options.HealthWindow);
        _operations = options.TrackOperations ? new OperationTable(options.MaxOperations) : null;
        _hold = _operations is null ? new LatencyHistogram() : null;
        _leakLog = new LeakLog(options.RecentLeakCapacity);
        _timestampToTicks = (double)TimeSpan.TicksPerSecond / _time.TimestampFrequency;
        _timestampToMicros = 1e6 / _time.TimestampFrequency;
        _peakTouchedAt = _time.GetTimestamp();
        _peakTouchInterval = (long)(_facts.IdleLifetime.TotalSeconds / 32 * _time.TimestampFrequency);
        Metrics = new GuardMetrics(meterFactory, PoolName, this);
        if (options.PoolCountsProvider is null && options.ReadProviderPoolCounts
            && (options.ProviderMeterName ?? providerName) is { Length: > 0 } meter && (options.ProviderPoolName ?? connectionString) is { Length: > 0 } pool)
            _providerCounts = new ProviderMeterPoolCounts(meter, pool);
    }

    public string PoolName { get; }

    public int Max { get; }

    public GuardMetrics Metrics { get; }

    public TimeProvider Time => _time;

    /// <summary>Which clock times this pool's leases, for the snapshot and the live page.</summary>
    public string ClockDescription => !_systemClock ? "custom TimeProvider"
        : CpuTimestampClock.IsAvailable ? $"tsc ({_time.TimestampFrequency / 1e6:0} MHz)"
        : $"stopwatch ({CpuTimestampClock.UnavailableBecause})";

    // The system clock is read directly (no virtual call) on the hot path; any other TimeProvider (tests) as given.
    // CpuTimestampClock.IsAvailable is static readonly, so the tiered JIT keeps only one of the two reads.
    private readonly bool _systemClock;
    private readonly double _timestampToTicks;

    public long Now() => _systemClock
        ? CpuTimestampClock.IsAvailable ? CpuTimestampClock.Read() : Stopwatch.GetTimestamp()
        : _time.GetTimestamp();

    private TimeSpan Elapsed(long start, long end) => new((long)((end - start) * _timestampToTicks));

    public bool LeakDetection => _leakThreshold.HasValue;

    public int InUse => Volatile.Read(ref _inUse);

    public int Waiters => Volatile.Read(ref _waiters);

    /// <summary>Idle connections: the provider's exact number when a hook is set, else an estimate — the peak of
    /// concurrent leases within the provider's idle lifetime (connections the pool still keeps open) minus those in use.</summary>
    public int Idle => ReadCounts().Idle;

    private (int Idle, bool Exact) ReadCounts()
    {
        if (_options.PoolCountsProvider?.Invoke() is { } exact) return (exact.Idle, true);
        if (_providerCounts?.Read() is { } reported) return (reported.Idle, true);
        var inUse = InUse;
        var peak = Volatile.Read(ref _peakInUse);
        if (_time.GetElapsedTime(Volatile.Read(ref _peakTouchedAt)) > _facts.IdleLifetime)
        {
            // Nothing reached the peak for an idle lifetime: the provider has pruned the surplus by now. Compare-and-swap,
            // as the open path does: an open that raised the peak since it was read keeps it (a plain store erased it).
            if (Interlocked.CompareExchange(ref _peakInUse, Math.Max(inUse, _facts.MinPoolSize), peak) == peak)
                Volatile.Write(ref _peakTouchedAt, _time.GetTimestamp());
            peak = Volatile.Read(ref _peakInUse);
        }
        return (Math.Max(0, Math.Max(peak, _facts.MinPoolSize) - inUse), false);
    }

    public bool Saturated => Volatile.Read(ref _inUse) + Volatile.Read(ref _waiters) >= Max;

    public void WaitStarted() => Interlocked.Increment(ref _waiters);

    public void WaitEnded() => Interlocked.Decrement(ref _waiters);

    /// <summary>Records a successful open and starts tracking its lease until the connection closes.</summary>
    public void Begin(DbConnection connection, long waitStartedAt, string? operation, StackTrace? stack)
    {
        var now = Now();
        var waited = Elapsed(waitStartedAt, now);
        _recentWait.Record(waited, now);
        _waitTotal.Record(waited);
        Metrics.RecordWait(waited);
        Start(connection, now, operation, stack);
    }

    /// <summary>Records an open that completed at once (zero wait) at <paramref name="now"/> and starts its lease.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // into the guard's open: the hot path, two calls fewer per open
    public void BeginWithoutWait(DbConnection connection, long now, string? operation, StackTrace? stack)
    {
        var journal = Journal();
        journal.NoteZeroWait();
        Metrics.RecordWait(TimeSpan.Zero);
        Start(connection, now, operation, stack, journal: journal);
    }

    /// <summary>Starts a lease for a connection the caller opened itself (no wait measured).</summary>
    public void BeginUnmeasured(DbConnection connection, string? operation, StackTrace? stack) =>
        Start(connection, Now(), operation, stack, unsubscribe: true);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Start(DbConnection connection, long now, string? operation, StackTrace? stack, bool unsubscribe = false, LeaseJournal? journal = null)
    {
        var lease = Rent(journal ?? Journal());
        lease.Connection = connection;
        lease.Unsubscribe = unsubscribe;
        lease.StartedAt = now;
        // Skipped when unchanged (the same route again): saves the GC write barrier.
        if (!ReferenceEquals(lease.Operation, operation)) lease.Operation = operation;
        var inUse = Interlocked.Increment(ref _inUse);
        var peak = Volatile.Read(ref _peakInUse);
        if (inUse > peak)
        {
            Interlocked.CompareExchange(ref _peakInUse, inUse, peak);
            Volatile.Write(ref _peakTouchedAt, now);
        }
        else if (inUse == peak && now - Volatile.Read(ref _peakTouchedAt) > _peakTouchInterval)
        {
            // Refreshed at most every 1/32 idle lifetime: a store on every lease would bounce this cache line between
            // cores, and the estimate only asks whether the peak was reached within the idle lifetime.
            Volatile.Write(ref _peakTouchedAt, now);
        }
        if (_leakThreshold is { } threshold) Watch(lease, stack, threshold);
        connection.StateChange += lease.Handler;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Watch(Lease lease, StackTrace? stack, TimeSpan threshold)
    {
        // Lease ids exist only for leak reports: the plain lease count is derived from the hold histogram.
        lease.Id = Interlocked.Increment(ref _leakIds);
        lease.Stack = stack;
        _watched[lease.Id] = lease;
        lease.LeakTimer = _time.CreateTimer(static s => ((Lease)s!).OnLeakTimer(), lease, threshold, Timeout.InfiniteTimeSpan);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] // into the StateChange handler: one call fewer per close
    public void End(Lease lease)
    {
        var now = Now();
        var heldTimestamps = now - lease.StartedAt;
        Interlocked.Decrement(ref _inUse);
        var journal = Journal();
        while (!journal.TryNoteHold(lease.Operation, heldTimestamps)) Fold();
        if (Metrics.UseEnabled) Metrics.RecordUse(Elapsed(lease.StartedAt, now));
        if (lease.LeakTimer is null)
        {
            // A lease without a leak timer carries no other state: Start overwrites all it uses, so no Clear here.
            journal.Spare = lease;
            return;
        }
        EndWatched(lease, now);
    }

    // A lease under leak watch: stop its timer and, if it was reported, report its return.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void EndWatched(Lease lease, long now)
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
            var held = Elapsed(lease.StartedAt, now);
            leak.ReturnedAt = _time.GetUtcNow();
            leak.HeldFor = held;
            Interlocked.Decrement(ref _activeLeaks);
            LogLeakReturned(_logger, PoolName, leak.Id, leak.Operation ?? OperationTable.Unknown, held.TotalSeconds);
        }
        // Leases with timers are not recycled: a late timer callback must never see a reused lease.
    }

    internal void LeakSuspected(Lease lease)
    {
        LeakReport report;
        lock (lease)
        {
            if (lease.Ended || lease.Leak is not null) return;
            var now = _time.GetUtcNow();
            var held = _time.GetElapsedTime(lease.StartedAt);
            report = new LeakReport(lease.Id, PoolName, lease.Operation, lease.Stack?.ToString() ?? "(no stack captured)", now - held, now);
            lease.Leak = report;
        }
        // The report goes into the log before the counters move: a reader that sees the leak counted also finds it.
        _leakLog.Add(report);
        Interlocked.Increment(ref _leaks);
        Interlocked.Increment(ref _activeLeaks);
        Metrics.Leak();
        LogLeak(_logger, PoolName, report.Id, report.Operation ?? OperationTable.Unknown, _leakThreshold!.Value.TotalSeconds, report.StackTrace);
    }

    public void OpenFailed(Exception exception, CancellationToken callerToken)
    {
        var kind = OpenFailureClassifier.Classify(exception, callerToken, _classifier);
        switch (kind)
        {
            case ConnectionErrorKind.Cancelled:
                break;
            case ConnectionErrorKind.PoolTimeout:
                Interlocked.Increment(ref _timeouts);
                _recentTimeouts.Add();
                Metrics.Timeout();
                LogTimeout(_logger, PoolName, InUse, Max, Waiters);
                break;
            default:
                Interlocked.Increment(ref _errors);
                Interlocked.Increment(ref _errorsByKind[(int)kind]);
                Metrics.Error();
                break;
        }
    }

    /// <summary>Counts an error a query raised (deadlock, lock or statement timeout, server gone) for the diagnoser;
    /// returns its kind.</summary>
    public ConnectionErrorKind QueryFailed(Exception exception)
    {
        var kind = OpenFailureClassifier.Classify(exception, CancellationToken.None, _classifier);
        if (kind is not (ConnectionErrorKind.Cancelled or ConnectionErrorKind.PoolTimeout)) Interlocked.Increment(ref _errorsByKind[(int)kind]);
        return kind;
    }

    /// <summary>Everything counted since start, for per-interval deltas.</summary>
    internal CumulativePoolReading ReadCumulative()
    {
        Fold();
        var hold = new long[LatencyHistogram.BucketCount];
        if (_hold is not null) _hold.AddTo(hold);
        else _operations!.MergeInto(hold);
        var wait = new long[LatencyHistogram.BucketCount];
        _waitTotal.AddTo(wait);
        var errors = new long[_errorsByKind.Length];
        for (var i = 0; i < errors.Length; i++) errors[i] = Volatile.Read(ref _errorsByKind[i]);
        return new CumulativePoolReading(InUse, Max, Waiters, hold, wait, Volatile.Read(ref _timeouts), Volatile.Read(ref _rejections),
            Volatile.Read(ref _leaks), Volatile.Read(ref _activeLeaks), errors);
    }

    public void Rejected()
    {
        Interlocked.Increment(ref _rejections);
        _recentRejections.Add();
        Metrics.Rejected();
    }

    /// <summary>Hold time per operation so far (empty when operations are not tracked); the metrics export reads it.</summary>
    internal IReadOnlyList<OperationStats> OperationSnapshot()
    {
        Fold();
        return _operations?.Snapshot() ?? [];
    }

    public PoolSnapshot Snapshot()
    {
        Fold();
        var (idle, exact) = ReadCounts();
        var hold = HoldSummary();
        return new PoolSnapshot
        {
            PoolName = PoolName,
            InUse = InUse,
            Idle = idle,
            IdleIsExact = exact,
            Max = Max,
            Waiters = Waiters,
            Leases = hold.Count + InUse,
            Timeouts = Volatile.Read(ref _timeouts),
            RecentTimeouts = _recentTimeouts.Count(),
            Rejections = Volatile.Read(ref _rejections),
            RecentRejections = _recentRejections.Count(),
            Errors = Volatile.Read(ref _errors),
            Leaks = Volatile.Read(ref _leaks),
            ActiveLeaks = Volatile.Read(ref _activeLeaks),
            Wait = new LatencySummary(_recentWait.Count, _recentWait.Quantile(0.5), _recentWait.Quantile(0.9), _recentWait.Quantile(0.99), _recentWait.Quantile(1), _recentWait.SumSeconds),
            RecentWaitP99 = _recentWait.Quantile(0.99),
            Hold = hold,
            Operations = _operations?.Snapshot() ?? [],
            RecentLeaks = _leakLog.Snapshot(),
            Clock = ClockDescription,
        };
    }

    private LatencySummary HoldSummary()
    {
        var buckets = new long[LatencyHistogram.BucketCount];
        double sum = 0, max = 0;
        if (_hold is not null)
        {
            _hold.AddTo(buckets);
            (sum, max) = (_hold.SumSeconds, _hold.MaxSeconds);
        }
        else
        {
            (sum, max) = _operations!.MergeInto(buckets);
        }
        long count = 0;
        foreach (var b in buckets) count += b;
        return new LatencySummary(count, LatencyHistogram.Quantile(buckets, 0.5, max), LatencyHistogram.Quantile(buckets, 0.9, max),
            LatencyHistogram.Quantile(buckets, 0.99, max), max, sum);
    }

    /// <summary>Moves every journal's notes into the hold histograms and the recent-wait window. Readers call it first,
    /// so what they see includes every lease closed before; a thread whose journal is full calls it too.</summary>
    internal void Fold()
    {
        lock (_foldLock)
        {
            var now = Now();
            var retired = 0;
            foreach (var journal in _journals)
            {
                var zeros = journal.Fold(_timestampToMicros);
                _recentWait.RecordZeros(zeros, now);
                if (zeros > 0) _waitTotal.RecordZeros(zeros);
                if (journal.Retired) retired++;
            }
            // Journals of threads that have ended hold nothing more: drop them so short-lived threads do not pile up.
            if (retired > 0) _journals = [.. _journals.Where(j => !j.Retired)];
        }
    }

    /// <summary>Journals currently kept (one per thread that used this pool and is alive or not yet folded).</summary>
    internal int JournalCount => Volatile.Read(ref _journals).Length;

    // The histogram a hold of this operation goes to; written only by LeaseJournal.Fold under _foldLock.
    internal LatencyHistogram HoldHistogramOf(string? operation) => _operations?.HistogramOf(operation) ?? _hold!;

    private LeaseJournal Journal()
    {
        var journal = t_journal;
        return journal is not null && ReferenceEquals(journal.Tracker, this) ? journal : SwitchJournal();
    }

    private LeaseJournal SwitchJournal()
    {
        var mine = t_journals ??= [];
        // Journals of disposed pools are forgotten here, so a thread does not keep them alive.
        mine.RemoveAll(j => j.Tracker._disposed);
        foreach (var journal in mine)
        {
            if (ReferenceEquals(journal.Tracker, this)) return t_journal = journal;
        }
        var created = new LeaseJournal(this, Thread.CurrentThread);
        lock (_foldLock) _journals = [.. _journals, created];
        mine.Add(created);
        return t_journal = created;
    }

    // One spare lease per thread and pool: open/close pairs mostly run on one thread, so recycling needs no atomics.
    private Lease Rent(LeaseJournal journal)
    {
        var lease = journal.Spare;
        if (lease is null) return new Lease(this);
        journal.Spare = null;
        return lease;
    }

    public void Dispose()
    {
        _disposed = true;
        _providerCounts?.Dispose();
        Metrics.Dispose();
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Connection leak suspected in pool {PoolName}: lease {LeaseId} taken by {Operation} is held longer than {ThresholdSeconds} s. Borrowed at:\n{StackTrace}")]
    private static partial void LogLeak(ILogger logger, string poolName, long leaseId, string operation, double thresholdSeconds, string stackTrace);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Leaked connection returned to pool {PoolName}: lease {LeaseId} taken by {Operation} was held {HeldSeconds:0.###} s")]
    private static partial void LogLeakReturned(ILogger logger, string poolName, long leaseId, string operation, double heldSeconds);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Connection pool {PoolName} exhausted: an open timed out with {InUse}/{Max} in use and {Waiters} waiting")]
    private static partial void LogTimeout(ILogger logger, string poolName, int inUse, int max, int waiters);
}
