using System.Globalization;
using Lifeguard.Testing.Faults;
using Npgsql;

namespace Lifeguard.Cli.Drill.Faults;

/// <summary>
/// The pooler fault's second case: a report job holds every server connection of the drill's PgBouncer pool (at the
/// site's normal size), one session through the pooler per server connection, each running a long statement, so the
/// site's transactions queue inside the pooler (cl_waiting) while PostgreSQL is up and idle. The application's pool and
/// the pooler's pool size are untouched. The mitigation ends the holder's backends on the server; disposing ends what is
/// left of it (its sessions closed, none left behind).
/// </summary>
internal sealed class PoolerHold(DrillPgBouncer pooler, string siteConnectionString, string directConnectionString) : IFaultInjector
{
    /// <summary>The report job's application_name.</summary>
    public const string Application = "lifeguard-drill-report";

    // Longer than any drill's fault phase: only the mitigation (or the end of the case) ends it.
    private const int SleepSeconds = 600;

    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _sessions = [];
    private readonly List<NpgsqlConnection> _connections = [];
    private int _disposed;

    public DrillPgBouncer Pooler => pooler;

    public string Description => string.Create(CultureInfo.InvariantCulture,
        $"a report job ('{Application}') holding all {pooler.PoolSize} of PgBouncer's server connections for the site's database/user: {pooler.PoolSize} sessions through the pooler, each running SELECT pg_sleep({SleepSeconds}) (the pooler's pool and the application's pool unchanged)");

    public async Task InjectAsync(CancellationToken cancellationToken)
    {
        var sessions = pooler.PoolSize;
        var cs = new NpgsqlConnectionStringBuilder(siteConnectionString)
        {
            ApplicationName = Application,
            Pooling = false,
            CommandTimeout = SleepSeconds + 60,
            Timeout = 15,
        }.ConnectionString;
        // Logged in first (a login through the pooler needs no server connection once it knows the server), then each
        // sends its statement: every one takes the next server connection the site's short transactions give back.
        for (var i = 0; i < sessions; i++)
        {
            var connection = new NpgsqlConnection(cs);
            _connections.Add(connection);
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        }

        foreach (var connection in _connections) _sessions.Add(Task.Run(() => HoldAsync(connection, _stop.Token), CancellationToken.None));
    }

    private static async Task HoldAsync(NpgsqlConnection connection, CancellationToken stop)
    {
        try
        {
            await using var sleep = new NpgsqlCommand(string.Create(CultureInfo.InvariantCulture, $"SELECT pg_sleep({SleepSeconds})"), connection);
            await sleep.ExecuteNonQueryAsync(stop).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or NpgsqlException or InvalidOperationException)
        {
            // ended on the server (the mitigation), cancelled with the case, or the pooler went away
        }
    }

    // Ended by the mitigation first, then again at the end of the case: once is enough. The job's sessions are closed
    // here; a statement still running (no mitigation ran) is cancelled, which PgBouncer passes on to the server.
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await _stop.CancelAsync().ConfigureAwait(false);
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await Task.WhenAll(_sessions).WaitAsync(wait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // a cancel the pooler did not pass on: closing the connections below ends the sessions
        }

        foreach (var connection in _connections) await connection.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
        await EndLeftoversAsync().ConfigureAwait(false);
    }

    // A client that leaves the pooler mid-statement does not stop the backend behind it (pg_sleep does not notice a
    // closed socket): whatever of the job still runs on the server is ended there, so no session outlives the drill.
    private async Task EndLeftoversAsync()
    {
        try
        {
            var cs = new NpgsqlConnectionStringBuilder(directConnectionString) { Pooling = false, ApplicationName = Scenarios.FaultScenario.OperatorApplication }.ConnectionString;
            await using var connection = new NpgsqlConnection(cs);
            await connection.OpenAsync(CancellationToken.None).ConfigureAwait(false);
            await using var end = new NpgsqlCommand("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()", connection);
            end.Parameters.Add(new NpgsqlParameter { Value = Application });
            await end.ExecuteScalarAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            // the server is gone: no session of the job is left on it either
        }
    }
}
