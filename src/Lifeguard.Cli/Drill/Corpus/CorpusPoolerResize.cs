using System.Globalization;
using Lifeguard.Cli.Drill.Faults;
using Lifeguard.Testing.Faults;

namespace Lifeguard.Cli.Drill.Corpus;

/// <summary>
/// A weaker pooler fault than the drill's <see cref="PoolerShrink"/> (one server connection plus a batch job): the
/// PgBouncer's pool for the site's database/user shrunk to <c>size</c> server connections on its admin console, nothing
/// else. Disposing gives the pool back.
/// </summary>
internal sealed class CorpusPoolerResize(DrillPgBouncer pooler, int size) : IFaultInjector
{
    private readonly int _healthy = pooler.PoolSize;
    private bool _injected;

    public string Description => string.Create(CultureInfo.InvariantCulture,
        $"PgBouncer's pool for the site's database/user shrunk from {_healthy} to {size} server connection(s) (SET default_pool_size; RECONNECT)");

    public async Task InjectAsync(CancellationToken cancellationToken)
    {
        _injected = true;
        await pooler.SetPoolSizeAsync(size, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_injected || pooler.PoolSize >= _healthy) return;
        try
        {
            await pooler.SetPoolSizeAsync(_healthy, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or Npgsql.NpgsqlException)
        {
            // the pooler is already gone: nothing left to give back
        }
    }
}
