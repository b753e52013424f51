using System.Globalization;
using Lifeguard.Testing.Faults;

namespace Lifeguard.Cli.Drill.Faults;

/// <summary>
/// The pooler fault: the drill's PgBouncer (the site connects through it) has its pool for the site's database/user
/// shrunk to one server connection under load, on its admin console, as an operator's mistake or a bad config push
/// would. The application's pool is untouched: its connections now queue in the pooler. Disposing removes the fault
/// (the pool given back when nothing raised it); the pooler itself is the scenario's to stop.
/// </summary>
internal sealed class PoolerShrink(DrillPgBouncer pooler, int healthySize) : IFaultInjector
{
    public const int ShrunkSize = 1;

    public DrillPgBouncer Pooler => pooler;

    public string Description => string.Create(CultureInfo.InvariantCulture,
        $"PgBouncer's pool for the site's database/user shrunk from {healthySize} to {ShrunkSize} server connection (SET default_pool_size = {ShrunkSize}; RECONNECT on its admin console)");

    public Task InjectAsync(CancellationToken cancellationToken) => pooler.SetPoolSizeAsync(ShrunkSize, cancellationToken);

    /// <summary>The pool size before the fault.</summary>
    public int HealthySize => healthySize;

    /// <summary>Raises the pooler's pool to <paramref name="size"/> (the mitigation).</summary>
    public Task RaiseAsync(int size, CancellationToken cancellationToken) => pooler.SetPoolSizeAsync(size, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (pooler.PoolSize >= healthySize) return;
        try
        {
            await pooler.SetPoolSizeAsync(healthySize, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException)
        {
            // the pooler is already gone: nothing left to give back
        }
    }
}
