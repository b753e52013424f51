using System.Globalization;
using Lifeguard.Testing.Faults;
using Npgsql;

namespace Lifeguard.Cli.Drill.Corpus;

/// <summary>
/// A pooler fault of the corpus: a report job connected through the PgBouncer in front of the site, its
/// <c>sessions</c> long statements each holding one of the pooler's server connections for the site's database/user (in
/// transaction mode a server connection is a client's for as long as its statement runs). The site's requests queue in
/// the pooler behind it while PostgreSQL has slots and cores to spare. Disposing cancels the statements (a cancel request
/// through the pooler) and closes the sessions.
/// </summary>
internal sealed class CorpusPoolerHold(string poolerConnectionString, int sessions) : IFaultInjector
{
    /// <summary>The report job's application_name.</summary>
    public const string Application = "corpus-report-through-pooler";

    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _holds = [];

    public string Description => string.Create(CultureInfo.InvariantCulture,
        $"{sessions} session(s) of '{Application}' through the pooler, each running a long statement (SELECT pg_sleep) that holds one of its server connections");

    public async Task InjectAsync(CancellationToken cancellationToken)
    {
        var cs = new NpgsqlConnectionStringBuilder(poolerConnectionString) { Pooling = false, ApplicationName = Application, CommandTimeout = 0, NoResetOnClose = true }.ConnectionString;
        var started = new List<Task>();
        for (var i = 0; i < sessions; i++)
        {
            var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            started.Add(running.Task);
            _holds.Add(HoldAsync(cs, running, _stop.Token));
        }
        // In effect once every statement has been sent (each then waits for, or holds, a server connection).
        await Task.WhenAll(started).WaitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
    }

    private static async Task HoldAsync(string cs, TaskCompletionSource running, CancellationToken stop)
    {
        try
        {
            await using var connection = new NpgsqlConnection(cs);
            await connection.OpenAsync(stop).ConfigureAwait(false);
            await using var report = new NpgsqlCommand("SELECT 1 AS corpus_report FROM pg_sleep(600)", connection);
            var statement = report.ExecuteNonQueryAsync(stop);
            running.TrySetResult();
            await statement.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or NpgsqlException)
        {
            // cancelled with the fault, or the pooler went away
        }
        finally
        {
            running.TrySetResult();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested) return;
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_holds).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // a cancel request the pooler did not pass on: the pooler is stopped with the scenario anyway
        }
        _stop.Dispose();
    }
}
