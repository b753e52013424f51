using System.Globalization;
using Lifeguard.Testing.Faults;
using Npgsql;

namespace Lifeguard.Cli.Drill.Faults;

/// <summary>
/// The pooler fault: the drill's PgBouncer (the site connects through it) has its pool for the site's database/user
/// shrunk to one server connection under load, on its admin console, as an operator's mistake or a bad config push
/// would, while a batch job shares that pool through the pooler (short transactions, 0.2 s each, one after another):
/// the site's own drill traffic alone can be light enough for one server connection, the pool and its job are not.
/// The application's pool is untouched: its connections now queue in the pooler. Disposing removes the fault (the job
/// stopped, the pool given back when nothing raised it); the pooler itself is the scenario's to stop.
/// </summary>
internal sealed class PoolerShrink(DrillPgBouncer pooler, int healthySize, string siteConnectionString) : IFaultInjector
{
    public const int ShrunkSize = 1;

    /// <summary>The batch job's application_name.</summary>
    public const string BatchApplication = "lifeguard-drill-batch";

    private readonly CancellationTokenSource _stop = new();
    private Task? _batch;
    private int _disposed;

    public DrillPgBouncer Pooler => pooler;

    /// <summary>The pool size before the fault.</summary>
    public int HealthySize => healthySize;

    public string Description => string.Create(CultureInfo.InvariantCulture,
        $"PgBouncer's pool for the site's database/user shrunk from {healthySize} to {ShrunkSize} server connection (SET default_pool_size = {ShrunkSize}; RECONNECT on its admin console), shared with a batch job's 0.2 s transactions through the pooler ('{BatchApplication}')");

    public async Task InjectAsync(CancellationToken cancellationToken)
    {
        await pooler.SetPoolSizeAsync(ShrunkSize, cancellationToken).ConfigureAwait(false);
        var batch = new NpgsqlConnectionStringBuilder(siteConnectionString) { ApplicationName = BatchApplication, Pooling = false, CommandTimeout = 60 }.ConnectionString;
        _batch = Task.Run(() => BatchAsync(batch, _stop.Token), CancellationToken.None);
    }

    private static async Task BatchAsync(string connectionString, CancellationToken stop)
    {
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(stop).ConfigureAwait(false);
            // A statement of its own (not SELECT pg_sleep($1), which tests and users run for other lengths): its time in
            // pg_stat_statements is its own baseline, always 0.2 s, never "a statement that got slower".
            await using var step = new NpgsqlCommand("SELECT 1 AS batch_step FROM pg_sleep(0.2)", connection);
            while (!stop.IsCancellationRequested) await step.ExecuteNonQueryAsync(stop).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or NpgsqlException)
        {
            // stopped with the fault, or the pooler went away
        }
    }

    /// <summary>Raises the pooler's pool to <paramref name="size"/> (the mitigation).</summary>
    public Task RaiseAsync(int size, CancellationToken cancellationToken) => pooler.SetPoolSizeAsync(size, cancellationToken);

    // Disposed by a mitigation that removes the fault, then again at the end of the scenario: once is enough.
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_batch is not null) await _batch.ConfigureAwait(false);
        _stop.Dispose();
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
