using System.Data.Common;

namespace Lifeguard;

// Leases of a connection the caller keeps and reopens (EF Core keeps one DbConnection per context and opens and closes
// it around every query). The caller's connection must come from Inner, not from CreateConnection: that one would also
// count itself as an unmeasured lease when opened. Kept apart from the guard's own open paths, which are left as measured.
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
        _tracker.WaitStarted();
        try
        {
            if (_admissionBudget is { } budget && _tracker.Saturated)
                OpenWithinBudgetAsync(connection, budget, CancellationToken.None).AsTask().GetAwaiter().GetResult();
            else
                connection.Open();
        }
        catch (Exception ex)
        {
            // Not disposed: the connection is the caller's, who may retry it.
            _tracker.WaitEnded();
            Failed(ex, CancellationToken.None);
            throw;
        }
        _tracker.WaitEnded();
        _tracker.BeginReopenable(connection, start, operation, stack);
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
        return OpenLeaseCoreAsync(connection, operation, stack, cancellationToken);
    }

    private async ValueTask OpenLeaseCoreAsync(DbConnection connection, string? operation, System.Diagnostics.StackTrace? stack,
        CancellationToken cancellationToken)
    {
        var start = _tracker.Now();
        _tracker.WaitStarted();
        try
        {
            if (_admissionBudget is { } budget && _tracker.Saturated)
                await OpenWithinBudgetAsync(connection, budget, cancellationToken).ConfigureAwait(false);
            else
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _tracker.WaitEnded();
            Failed(ex, cancellationToken);
            throw;
        }
        _tracker.WaitEnded();
        _tracker.BeginReopenable(connection, start, operation, stack);
    }
}
