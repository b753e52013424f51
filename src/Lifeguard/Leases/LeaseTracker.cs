using Lifeguard.Fleet;
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

/// <summary>
/// All lease bookkeeping of one guarded pool: the hot path (start and end of a lease) and the counters here; the
/// per-thread journals (LeaseTracker.Journals.cs), what readers see (LeaseTracker.Snapshot.cs), the idle estimate
/// (<see cref="IdleEstimate"/>), the leak watch (<see cref="LeakWatch"/>) and the log messages (<see cref="LeaseLog"/>)
/// each in their own file.
/// </summary>
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
    private readonly double _timestampToMicros;
    private volatile bool _disposed;
    // Null when leak detection is off: the hot path tests only this reference.
    private readonly LeakWatch? _leakWatch;
    private int _inUse;
    private int _waiters;
    private long _timeouts;
    private long _rejections;
    private long _errors;
    // Not readonly: a mutable struct, updated in place (a readonly field would hand each call a copy).
    private IdleEstimate _idle;

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
        _classifier = options.ErrorClassifier;
        _recentWait = new WindowedHistogram(_time, options.HealthWindow);
        _recentTimeouts = new RecentEvents(_time, options.HealthWindow);
        _recentRejections = new RecentEvents(_time, options.HealthWindow);
        _operations = options.TrackOperations ? new OperationTable(options.MaxOperations) : null;
        _hold = _operations is null ? new LatencyHistogram() : null;
        _timestampToTicks = (double)TimeSpan.TicksPerSecond / _time.TimestampFrequency;
        _timestampToMicros = 1e6 / _time.TimestampFrequency;
        _idle = new IdleEstimate(_facts.IdleLifetime, _facts.MinPoolSize, _time.TimestampFrequency, _time.GetTimestamp());
        Metrics = new GuardMetrics(meterFactory, PoolName, this);
        if (options.LeakDetectionThreshold is { } threshold)
            _leakWatch = new LeakWatch(PoolName, threshold, options.RecentLeakCapacity, _time, Metrics, _logger);
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

    public bool LeakDetection => _leakWatch is not null;

    /// <summary>The leak watch (null when leak detection is off); a watched lease's timer reports to it.</summary>
    internal LeakWatch? Leaks => _leakWatch;

    public int InUse => Volatile.Read(ref _inUse);

    public int Waiters => Volatile.Read(ref _waiters);

    /// <summary>Idle connections: the provider's exact number when a hook is set, else an estimate — the peak of
    /// concurrent leases within the provider's idle lifetime (connections the pool still keeps open) minus those in use.</summary>
    public int Idle => ReadCounts().Idle;

    private (int Idle, bool Exact) ReadCounts()
    {
        if (_options.PoolCountsProvider?.Invoke() is { } exact) return (exact.Idle, true);
        if (_providerCounts?.Read() is { } reported) return (reported.Idle, true);
        return (_idle.Idle(InUse, _time), false);
    }

    public bool Saturated => Volatile.Read(ref _inUse) + Volatile.Read(ref _waiters) >= EffectiveMax;

    /// <summary>The fleet governor's gate, once a cap was set (null until then: the hot path pays one null check).</summary>
    public ConcurrencyGate? Gate => Volatile.Read(ref _gate);

    private ConcurrencyGate? _gate;

    /// <summary>The most leases at once: the pool's maximum, or the governor's cap when lower.</summary>
    public int EffectiveMax => Gate is { } gate ? Math.Min(Max, gate.Limit) : Max;

    /// <summary>How long an open waits for the governor's gate before giving up, as the pool would.</summary>
    public TimeSpan OpenTimeout => _facts.OpenTimeout;

    /// <summary>Caps leases at <paramref name="cap"/> (the governor's share), or lifts the cap (null: the pool's maximum).</summary>
    public void SetCap(int? cap)
    {
        var limit = Math.Clamp(cap ?? Max, 0, Max);
        if (Gate is { } gate) gate.SetLimit(limit);
        else if (cap is not null) Interlocked.CompareExchange(ref _gate, new ConcurrencyGate(limit), null)?.SetLimit(limit);
    }

    public void WaitStarted() => Interlocked.Increment(ref _waiters);

    public void WaitEnded() => Interlocked.Decrement(ref _waiters);

    /// <summary>Records a successful open and starts tracking its lease until the connection closes.</summary>
    public void Begin(DbConnection connection, long waitStartedAt, string? operation, StackTrace? stack, bool gated = false)
    {
        var now = Now();
        var waited = Elapsed(waitStartedAt, now);
        _recentWait.Record(waited, now);
        _waitTotal.Record(waited);
        Metrics.RecordWait(waited);
        Start(connection, now, operation, stack, gated: gated);
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
    private void Start(DbConnection connection, long now, string? operation, StackTrace? stack, bool unsubscribe = false, LeaseJournal? journal = null,
        bool gated = false)
    {
        var lease = Rent(journal ?? Journal());
        lease.Connection = connection;
        lease.Unsubscribe = unsubscribe;
        lease.Gated = gated;
        lease.StartedAt = now;
        // Skipped when unchanged (the same route again): saves the GC write barrier.
        if (!ReferenceEquals(lease.Operation, operation)) lease.Operation = operation;
        _idle.LeaseStarted(Interlocked.Increment(ref _inUse), now);
        if (_leakWatch is { } leaks) leaks.Watch(lease, stack);
        connection.StateChange += lease.Handler;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] // into the StateChange handler: one call fewer per close
    public void End(Lease lease)
    {
        var now = Now();
        var heldTimestamps = now - lease.StartedAt;
        Interlocked.Decrement(ref _inUse);
        if (lease.Gated)
        {
            lease.Gated = false;
            _gate!.Release();
        }
        var journal = Journal();
        while (!journal.TryNoteHold(lease.Operation, heldTimestamps)) Fold();
        if (Metrics.UseEnabled) Metrics.RecordUse(Elapsed(lease.StartedAt, now));
        if (lease.LeakTimer is null)
        {
            // A lease without a leak timer carries no other state: Start overwrites all it uses, so no Clear here.
            journal.Spare = lease;
            return;
        }
        _leakWatch!.End(lease, now);
    }

    public void OpenFailed(Exception exception, CancellationToken callerToken)
    {
        var kind = OpenFailureClassifier.Classify(exception, callerToken, _classifier);
        // Npgsql reports a connect that timed out exactly as an exhausted pool (an NpgsqlException around a
        // TimeoutException), and so does the type-only fallback: with free slots in the pool the open did not wait for a
        // connection but for a server that does not answer.
        if (kind == ConnectionErrorKind.PoolTimeout && InUse < EffectiveMax) kind = ConnectionErrorKind.ServerUnavailable;
        switch (kind)
        {
            case ConnectionErrorKind.Cancelled:
                break;
            case ConnectionErrorKind.PoolTimeout:
                Interlocked.Increment(ref _timeouts);
                _recentTimeouts.Add();
                Metrics.Timeout();
                LeaseLog.PoolExhausted(_logger, PoolName, InUse, EffectiveMax, Waiters);
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

    public void Rejected()
    {
        Interlocked.Increment(ref _rejections);
        _recentRejections.Add();
        Metrics.Rejected();
    }

    public void Dispose()
    {
        _disposed = true;
        _providerCounts?.Dispose();
        Metrics.Dispose();
    }
}
