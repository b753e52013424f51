using Npgsql;
using Lifeguard.Testing.Faults;

namespace Lifeguard.Cli.Drill.Corpus;

/// <summary>A red herring: the production lock queue (idle transaction, a migration's ALTER behind it), on a table the
/// website never reads. The server has lock waiters; the site's sessions are not among them.</summary>
internal sealed class ElsewhereLock(string connectionString) : IFaultInjector
{
    private readonly LockHolder _lock = new(connectionString, ReportHerring.Table);

    public string Description => "a lock queue on " + ReportHerring.Table + " (a table the site never reads)";

    public async Task InjectAsync(CancellationToken cancellationToken)
    {
        await ReportHerring.EnsureTableAsync(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString, cancellationToken).ConfigureAwait(false);
        await _lock.InjectAsync(cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => _lock.DisposeAsync();
}
