using System.ComponentModel.DataAnnotations;
using System.Data;
using System.Data.Common;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Lifeguard.Attribution;
using Lifeguard.Fleet;
using Lifeguard.Leases;
using Microsoft.Extensions.Logging;

namespace Lifeguard;

/// <summary>A <see cref="DbDataSource"/> that hands out the inner provider's own connections while measuring every
/// lease: wait and hold time, in-use/idle/waiting counts, timeouts, leaks and who holds the connections.</summary>
public sealed partial class GuardedDataSource : DbDataSource
{
    private readonly DbDataSource _inner;
    private readonly bool _ownsInner;
    private readonly LeaseTracker _tracker;
    private readonly TimeSpan? _admissionBudget;
    private readonly TimeSpan _retryAfter;
    private readonly bool _trackOperations;
    private readonly bool _captureStacks;

    /// <summary>Wraps <paramref name="inner"/>; options are validated here (DataAnnotations) and fixed for the guard's life.</summary>
    /// <param name="inner">The provider's data source, e.g. an NpgsqlDataSource.</param>
    /// <param name="options">Settings; null uses defaults.</param>
    /// <param name="meterFactory">Creates the "Lifeguard" meter; null creates a standalone meter.</param>
    /// <param name="loggerFactory">Receives leak and timeout warnings.</param>
    /// <param name="timeProvider">Clock for all durations and the leak timers; null is the system clock.</param>
    /// <param name="ownsInner">Whether disposing the guard disposes <paramref name="inner"/>.</param>
    public GuardedDataSource(DbDataSource inner, LifeguardOptions? options = null, IMeterFactory? meterFactory = null,
        ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null, bool ownsInner = true)
    {
        ArgumentNullException.ThrowIfNull(inner);
        options ??= new LifeguardOptions();
        Validator.ValidateObject(options, new ValidationContext(options), validateAllProperties: true);
        _inner = inner;
        _ownsInner = ownsInner;
        _tracker = new LeaseTracker(options, inner.ConnectionString, meterFactory, loggerFactory, timeProvider,
            providerName: inner.GetType().Assembly.GetName().Name);
        _admissionBudget = options.AdmissionBudget;
        _retryAfter = options.AdmissionRetryAfter;
        _trackOperations = options.TrackOperations;
        _captureStacks = options.LeakDetectionThreshold.HasValue;
    }

    /// <summary>The wrapped provider data source.</summary>
    public DbDataSource Inner => _inner;

    /// <summary>The <c>db.client.connection.pool.name</c> of this pool.</summary>
    public string PoolName => _tracker.PoolName;

    /// <inheritdoc />
    public override string ConnectionString => _inner.ConnectionString;

    internal LeaseTracker Tracker => _tracker;

    /// <summary>The fleet governor's cap on leases at once (below the provider's Maximum Pool Size), or null when uncapped.</summary>
    public int? ConcurrencyCap => _tracker.Gate is { } gate && gate.Limit < _tracker.Max ? gate.Limit : null;

    /// <summary>The provider pool's own Maximum Pool Size, whatever the governor's cap (the cap is <see cref="ConcurrencyCap"/>).</summary>
    public int MaximumPoolSize => _tracker.Max;

    /// <summary>Connections leased now, opens past the governor's cap included: how many physical connections the
    /// pool's callers may hold at this moment (the idle ones aside).</summary>
    public int LeasedConnections => Math.Max(_tracker.InUse, _tracker.Gate?.Held ?? 0);

    /// <summary>Caps how many connections this guard leases at once (the fleet governor's share of the server's slots);
    /// null lifts the cap. Lowering takes nothing back: new leases wait until enough are returned.</summary>
    /// <param name="cap">0 up to the pool's maximum, or null.</param>
    public void SetConcurrencyCap(int? cap)
    {
        if (cap is < 0) throw new ArgumentOutOfRangeException(nameof(cap), cap, "A cap cannot be negative.");
        _tracker.SetCap(cap);
    }

    /// <summary>Current counts, percentiles, per-operation hold times and recent leaks.</summary>
    public PoolSnapshot Snapshot() => _tracker.Snapshot();

    /// <summary>Tells the guard about an error a query raised (deadlock, lock or statement timeout, server gone), so the
    /// diagnosis sees it; returns how it was classified. Opens are counted without this.</summary>
    public Lifeguard.Diagnosis.ConnectionErrorKind ReportError(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return _tracker.QueryFailed(exception);
    }

    /// <summary>Publishes the guard's counters at 0; call once metric exporters have started so the first event shows as an increase.</summary>
    public void PublishZeroCounters() => _tracker.Metrics.PublishZeroCounters();

    /// <summary>Returns an unopened provider connection; if the caller opens it itself, its hold time is still tracked (wait time is not).</summary>
    protected override DbConnection CreateDbConnection()
    {
        var connection = _inner.CreateConnection();
        connection.StateChange += OnSelfOpened;
        return connection;
    }

    private void OnSelfOpened(object? sender, StateChangeEventArgs e)
    {
        if (e.CurrentState != ConnectionState.Open || sender is not DbConnection connection) return;
        _tracker.BeginUnmeasured(connection, CurrentOperation(), CaptureStack());
    }

    /// <inheritdoc />
    protected override DbConnection OpenDbConnection()
    {
        var stack = CaptureStack();
        var operation = CurrentOperation();
        var connection = _inner.CreateConnection();
        var start = _tracker.Now();
        var gated = Open(connection, disposeOnFailure: true);
        _tracker.Begin(connection, start, operation, stack, gated);
        return connection;
    }

    /// <inheritdoc />
    protected override ValueTask<DbConnection> OpenDbConnectionAsync(CancellationToken cancellationToken = default)
    {
        // Stack and operation are read before the first await: afterwards the stack is the thread pool's, not the borrower's.
        var stack = CaptureStack();
        var operation = CurrentOperation();
        if (_tracker.Gate is { } gate) return OpenGatedAsync(gate, _inner.CreateConnection(), operation, stack, reopenable: false, cancellationToken);
        if (_admissionBudget is { } budget && _tracker.Saturated)
        {
            var admitted = _inner.CreateConnection();
            var admittedStart = _tracker.Now();
            _tracker.WaitStarted();
            return CompleteOpenAsync(admitted, OpenWithinBudgetAsync(admitted, budget, cancellationToken), admittedStart, operation, stack,
                waiting: true, reopenable: false, cancellationToken);
        }
        var connection = _inner.CreateConnection();
        var start = _tracker.Now();
        var open = StartOpen(connection, cancellationToken);
        if (!open.IsCompletedSuccessfully)
        {
            // Not completed at once: waiting for the pool (or a new physical connection). Failed at once: awaited too, so
            // its exception is classified and rethrown unchanged.
            var waiting = !open.IsCompleted;
            if (waiting) _tracker.WaitStarted();
            return CompleteOpenAsync(connection, new ValueTask(open), start, operation, stack, waiting, reopenable: false, cancellationToken);
        }
        // Completed without waiting: the pool had an idle connection, so the wait is recorded as zero, the hot path is
        // spared a second clock read (the CPU time of a pooled open is far below 0.1 ms) and, by not being an async
        // method, an async state machine.
        _tracker.BeginWithoutWait(connection, start, operation, stack);
        return new ValueTask<DbConnection>(connection);
    }

    // Providers report failures through the task; a synchronous throw is turned into one. Kept out of the caller so
    // its locals need not live on the stack across a protected region.
    private static Task StartOpen(DbConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            return connection.OpenAsync(cancellationToken);
        }
        catch (Exception ex)
        {
            return Task.FromException(ex);
        }
    }

    // The one synchronous measured open (OpenConnection, OpenLease): the wait counted while it lasts, the governor's cap
    // and admission control when the pool is saturated, a failure classified and the provider's exception rethrown
    // unchanged. Returns whether the lease took a place in the governor's gate.
    private bool Open(DbConnection connection, bool disposeOnFailure)
    {
        _tracker.WaitStarted();
        var gate = _tracker.Gate;
        var entered = false;
        try
        {
            if (gate is not null && !(entered = gate.TryEnter()))
            {
                gate.EnterAsync(_tracker.OpenTimeout, _tracker.Time, CancellationToken.None).AsTask().GetAwaiter().GetResult();
                entered = true;
            }
            if (_admissionBudget is { } budget && _tracker.Saturated)
                OpenWithinBudgetAsync(connection, budget, CancellationToken.None).AsTask().GetAwaiter().GetResult();
            else
                connection.Open();
        }
        catch (Exception ex)
        {
            _tracker.WaitEnded();
            if (entered) gate!.Release();
            if (disposeOnFailure) connection.Dispose();
            Failed(ex, CancellationToken.None);
            throw;
        }
        _tracker.WaitEnded();
        return entered;
    }

    // An open under the fleet governor's cap: a place in the gate first (waiting counts as waiting for the pool, and
    // gives up after the pool's own Timeout the way the pool would), then the provider's open; the place is given back
    // when the lease ends, or at once when the open fails.
    private async ValueTask<DbConnection> OpenGatedAsync(ConcurrencyGate gate, DbConnection connection, string? operation, StackTrace? stack,
        bool reopenable, CancellationToken cancellationToken)
    {
        var start = _tracker.Now();
        _tracker.WaitStarted();
        var entered = false;
        try
        {
            if (!(entered = gate.TryEnter()))
            {
                await gate.EnterAsync(_tracker.OpenTimeout, _tracker.Time, cancellationToken).ConfigureAwait(false);
                entered = true;
            }
            if (_admissionBudget is { } budget && _tracker.Saturated)
                await OpenWithinBudgetAsync(connection, budget, cancellationToken).ConfigureAwait(false);
            else
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _tracker.WaitEnded();
            if (entered) gate.Release();
            if (!reopenable) await connection.DisposeAsync().ConfigureAwait(false);
            Failed(ex, cancellationToken);
            throw;
        }
        _tracker.WaitEnded();
        if (reopenable) _tracker.BeginReopenable(connection, start, operation, stack, gated: true);
        else _tracker.Begin(connection, start, operation, stack, gated: true);
        return connection;
    }

    // The one asynchronous measured open (a waiting OpenConnectionAsync, admission control, OpenLeaseAsync), once started:
    // the wait counted while it lasts (when it waited), a failure classified and the provider's exception rethrown
    // unchanged, then the lease begun. A reopenable connection is the caller's, who may retry it: it is not disposed.
    private async ValueTask<DbConnection> CompleteOpenAsync(DbConnection connection, ValueTask open, long start, string? operation,
        StackTrace? stack, bool waiting, bool reopenable, CancellationToken cancellationToken)
    {
        try
        {
            await open.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            if (waiting) _tracker.WaitEnded();
            if (!reopenable) await connection.DisposeAsync().ConfigureAwait(false);
            Failed(ex, cancellationToken);
            throw;
        }
        if (waiting) _tracker.WaitEnded();
        if (reopenable) _tracker.BeginReopenable(connection, start, operation, stack);
        else _tracker.Begin(connection, start, operation, stack);
        return connection;
    }

    private async ValueTask OpenWithinBudgetAsync(DbConnection connection, TimeSpan budget, CancellationToken cancellationToken)
    {
        using var budgetCts = new CancellationTokenSource(budget, _tracker.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budgetCts.Token);
        try
        {
            await connection.OpenAsync(linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (budgetCts.IsCancellationRequested && !cancellationToken.IsCancellationRequested
                                   && ex is OperationCanceledException or DbException)
        {
            _tracker.Rejected();
            throw new PoolAdmissionRejectedException(PoolName, budget, _retryAfter, ex);
        }
    }

    // The provider's exception is rethrown unchanged so callers' provider-specific handling keeps working.
    private void Failed(Exception ex, CancellationToken cancellationToken)
    {
        if (ex is not PoolAdmissionRejectedException) _tracker.OpenFailed(ex, cancellationToken);
    }

    private StackTrace? CaptureStack() => _captureStacks ? new StackTrace(2, fNeedFileInfo: false) : null;

    private string? CurrentOperation() => _trackOperations ? LifeguardOperation.Current : null;

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _tracker.Dispose();
            if (_ownsInner) _inner.Dispose();
        }
        base.Dispose(disposing);
    }

    /// <inheritdoc />
    protected override async ValueTask DisposeAsyncCore()
    {
        _tracker.Dispose();
        if (_ownsInner) await _inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsyncCore().ConfigureAwait(false);
    }
}
