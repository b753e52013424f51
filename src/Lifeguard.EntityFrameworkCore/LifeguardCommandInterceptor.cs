using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Lifeguard.EntityFrameworkCore;

/// <summary>Tells the guard about errors EF Core's commands raise (deadlocks, lock or statement timeouts, the server
/// gone), so the diagnosis sees them as it does for guarded ADO.NET code that calls <see cref="GuardedDataSource.ReportError"/>.</summary>
public sealed class LifeguardCommandInterceptor : DbCommandInterceptor
{
    private readonly GuardedDataSource _guard;

    /// <summary>Reports to <paramref name="guard"/>.</summary>
    public LifeguardCommandInterceptor(GuardedDataSource guard)
    {
        ArgumentNullException.ThrowIfNull(guard);
        _guard = guard;
    }

    /// <inheritdoc />
    public override void CommandFailed(DbCommand command, CommandErrorEventData eventData) => _guard.ReportError(eventData.Exception);

    /// <inheritdoc />
    public override Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        // A cancelled query is the caller's choice, not a database fault.
        if (!cancellationToken.IsCancellationRequested) _guard.ReportError(eventData.Exception);
        return Task.CompletedTask;
    }
}
