using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Lifeguard.EntityFrameworkCore;

/// <summary>Makes every open of an EF Core context's connection a measured lease of a <see cref="GuardedDataSource"/>:
/// EF's connection comes from the guard's inner data source, and EF's own open (around each query, or
/// <c>Database.OpenConnection()</c>) goes through the guard, so wait, hold, leaks, attribution and admission control
/// cover it; the lease ends when EF closes the connection.</summary>
/// <remarks>Handing EF the guard as its <see cref="DbDataSource"/> alone is not enough: EF only calls
/// <see cref="DbDataSource.CreateConnection"/> and opens the connection itself, so the guard would see hold times but
/// not how long each open waited for the pool, and could not apply admission control.</remarks>
public sealed class LifeguardConnectionInterceptor : DbConnectionInterceptor
{
    private readonly GuardedDataSource _guard;

    /// <summary>Leases through <paramref name="guard"/>.</summary>
    public LifeguardConnectionInterceptor(GuardedDataSource guard)
    {
        ArgumentNullException.ThrowIfNull(guard);
        _guard = guard;
    }

    /// <inheritdoc />
    // The guard's inner connection, not one from guard.CreateConnection(): that one would count itself again when opened.
    public override InterceptionResult<DbConnection> ConnectionCreating(ConnectionCreatingEventData eventData, InterceptionResult<DbConnection> result) =>
        result.HasResult ? result : InterceptionResult<DbConnection>.SuppressWithResult(_guard.Inner.CreateConnection());

    /// <inheritdoc />
    public override InterceptionResult ConnectionOpening(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        if (result.IsSuppressed) return result;
        _guard.OpenLease(connection);
        return InterceptionResult.Suppress();
    }

    /// <inheritdoc />
    public override async ValueTask<InterceptionResult> ConnectionOpeningAsync(DbConnection connection, ConnectionEventData eventData,
        InterceptionResult result, CancellationToken cancellationToken = default)
    {
        if (result.IsSuppressed) return result;
        await _guard.OpenLeaseAsync(connection, cancellationToken).ConfigureAwait(false);
        return InterceptionResult.Suppress();
    }
}
