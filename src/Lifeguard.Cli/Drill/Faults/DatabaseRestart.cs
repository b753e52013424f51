using Lifeguard.Testing.Faults;

namespace Lifeguard.Cli.Drill.Faults;

/// <summary>
/// The database stopped and started again under load (a maintenance restart, a crash and restart): stops the drill's
/// private PostgreSQL, keeps it down for <c>downtime</c>, starts it again. The application must recover by itself.
/// </summary>
internal sealed class DatabaseRestart(SiteDatabase database, TimeSpan downtime) : IFaultInjector
{
    private Task? _restart;
    private bool _down;

    public string Description => $"PostgreSQL stopped (fast shutdown) for {downtime.TotalSeconds:0} s, then started again";

    public async Task InjectAsync(CancellationToken cancellationToken)
    {
        var ct = cancellationToken;
        await database.StopServerAsync(ct).ConfigureAwait(false);
        _down = true;
        _restart = StartLaterAsync();
    }

    private async Task StartLaterAsync()
    {
        await Task.Delay(downtime).ConfigureAwait(false);
        await database.StartServerAsync(CancellationToken.None).ConfigureAwait(false);
        _down = false;
    }

    /// <summary>Waits until the server is started again (the fault's own end: nobody has to do anything).</summary>
    public Task WaitStartedAsync() => _restart ?? Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_restart is not null) await _restart.ConfigureAwait(false);
        }
        finally
        {
            if (_down) await database.StartServerAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }
}
