using Npgsql;

namespace Lifeguard.Testing.Faults;

/// <summary>
/// Another client burning the database's CPU: <c>sessions</c> connections (application <see cref="Application"/>) each
/// running a pure-CPU statement in a loop, until stopped. Stopping it is the mitigation.
/// </summary>
public sealed class CpuBurner(string connectionString, int sessions) : IFaultInjector
{
    /// <summary>The burner's sessions' application_name: what an operator (or a diagnosis) sees.</summary>
    public const string Application = "lifeguard-drill-cpu-burner";
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _burners = [];

    /// <inheritdoc/>
    public string Description => $"{sessions} sessions of '{Application}' running a CPU-bound statement in a loop";

    /// <inheritdoc/>
    public async Task InjectAsync(CancellationToken cancellationToken)
    {
        var ct = cancellationToken;
        var cs = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, ApplicationName = Application, CommandTimeout = 0 }.ConnectionString;
        var started = new List<Task>();
        for (var i = 0; i < sessions; i++)
        {
            var opened = new TaskCompletionSource();
            started.Add(opened.Task);
            _burners.Add(BurnAsync(cs, opened));
        }

        await Task.WhenAll(started).WaitAsync(TimeSpan.FromSeconds(10), ct).ConfigureAwait(false);
    }

    private async Task BurnAsync(string cs, TaskCompletionSource opened)
    {
        try
        {
            await using var c = new NpgsqlConnection(cs);
            await c.OpenAsync(_stop.Token).ConfigureAwait(false);
            opened.TrySetResult();
            while (!_stop.IsCancellationRequested)
            {
                // About a second of arithmetic per statement, in PL/pgSQL so nothing is materialised or spilled: pure
                // CPU, as a runaway report or batch job is. Cancelled with the token, it ends at once.
                await using var cmd = new NpgsqlCommand("/* drill.cpu-burner */ DO $$DECLARE x float8 := 0; BEGIN FOR i IN 1..3000000 LOOP x := x + sqrt(i); END LOOP; END$$", c);
                await cmd.ExecuteScalarAsync(_stop.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or NpgsqlException)
        {
            opened.TrySetException(e);
        }
    }

    /// <summary>Stops the burner: its statements are cancelled and its sessions closed.</summary>
    public async Task StopAsync()
    {
        if (_stopped) return;
        _stopped = true;
        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_burners).ConfigureAwait(false);
    }

    /// <summary>Undoes the fault: whatever it holds is released.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        if (_disposed) return;
        _disposed = true;
        _stop.Dispose();
    }

    private bool _stopped;
    private bool _disposed;
}
