using System.Data.Common;

namespace Lifeguard;

// Leases of a connection the caller keeps and reopens (EF Core keeps one DbConnection per context and opens and closes
// it around every query). The caller's connection must come from Inner, not from CreateConnection: that one would also
// count itself as an unmeasured lease when opened. They open through the guard's one measured open (Open,
// CompleteOpenAsync), without disposing the caller's connection on failure.
public sealed partial class GuardedDataSource
{
    /// <summary>Opens <paramref name="connection"/> as a measured lease: wait, hold, leak watch, attribution and admission
    /// control, exactly as <see cref="DbDataSource.OpenConnection"/>; the lease ends when the caller closes it. For data
    /// layers that keep one connection and reopen it (EF Core's interceptor uses it).</summary>
    /// <param name="connection">A closed connection created by <see cref="Inner"/> (not by this guard, whose own
    /// connections count themselves when opened).</param>
    /// <exception cref="PoolAdmissionRejectedException">Admission control found the pool saturated past its budget.</exception>
    public void OpenLease(DbConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var stack = CaptureStack();
        var operation = CurrentOperation();
        var start = _tracker.Now();
        // Not disposed on failure: the connection is the caller's, who may retry it.
        var gated = Open(connection, disposeOnFailure: false);
        _tracker.BeginReopenable(connection, start, operation, stack, gated);
    }

    /// <summary>Async <see cref="OpenLease"/>: opens <paramref name="connection"/> (created by <see cref="Inner"/>) as a
    /// measured lease that ends when the caller closes it.</summary>
    /// <param name="connection">A closed connection created by <see cref="Inner"/>.</param>
    /// <param name="cancellationToken">Cancels the wait for a connection.</param>
    public ValueTask OpenLeaseAsync(DbConnection connection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        // Stack and operation are read before the first await, as in OpenDbConnectionAsync.
        var stack = CaptureStack();
        var operation = CurrentOperation();
        if (_tracker.Gate is { } gate) return AwaitLeaseAsync(OpenGatedAsync(gate, connection, operation, stack, reopenable: true, cancellationToken));
        var start = _tracker.Now();
        _tracker.WaitStarted();
        var open = _admissionBudget is { } budget && _tracker.Saturated
            ? OpenWithinBudgetAsync(connection, budget, cancellationToken)
            : new ValueTask(StartOpen(connection, cancellationToken));
        var lease = CompleteOpenAsync(connection, open, start, operation, stack, waiting: true, reopenable: true, cancellationToken);
        if (!lease.IsCompletedSuccessfully) return AwaitLeaseAsync(lease);
        _ = lease.Result;
        return default;
    }

    private static async ValueTask AwaitLeaseAsync(ValueTask<DbConnection> lease) => await lease.ConfigureAwait(false);
}
