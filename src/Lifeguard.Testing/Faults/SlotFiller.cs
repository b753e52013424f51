using Npgsql;

namespace Lifeguard.Testing.Faults;

/// <summary>
/// Other clients taking the server's free connection slots: opens idle connections (application
/// <see cref="Application"/>) until the server refuses one with "too many clients" (SQLSTATE 53300). Freeing the slots
/// is ending those sessions, which is what <see cref="FreeAsync"/> does through the server (pg_terminate_backend by
/// application_name), as an operator would for a client they cannot reach. Like a fleet of clients that reconnect,
/// it keeps taking every slot that frees up (a pool pruning an idle connection) until <see cref="StopRefillingAsync"/>:
/// without that, the one slot another pool releases stays free for it and the fault never bites.
/// </summary>
public sealed class SlotFiller(string connectionString, int max = 500) : IFaultInjector
{
    /// <summary>The filler's sessions' application_name.</summary>
    public const string Application = "lifeguard-drill-slot-filler";
    private readonly List<NpgsqlConnection> _held = [];
    private readonly CancellationTokenSource _stopRefilling = new();
    private Task _refilling = Task.CompletedTask;
    private string _cs = "";

    /// <inheritdoc/>
    public string Description => $"{Held} idle connections of '{Application}' holding every free slot";

    /// <summary>Connections held now.</summary>
    public int Held
    {
        get
        {
            lock (_held) return _held.Count;
        }
    }

    /// <inheritdoc/>
    public async Task InjectAsync(CancellationToken cancellationToken)
    {
        var ct = cancellationToken;
        var cs = _cs = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, ApplicationName = Application, Timeout = 5 }.ConnectionString;
        // Eight at a time (each open authenticates, which takes a while on a busy host) until the server refuses.
        var refused = false;
        while (!refused && Held < max)
        {
            var batch = Enumerable.Range(0, Math.Min(8, max - Held)).Select(_ => new NpgsqlConnection(cs)).ToList();
            // Each open that succeeds is held at once, so a batch that fails part way (a timeout on a busy host) still
            // leaves every opened slot where DisposeAsync closes it.
            var opens = batch.Select(async c =>
            {
                try
                {
                    await c.OpenAsync(ct).ConfigureAwait(false);
                    lock (_held) _held.Add(c);
                    return true;
                }
                catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.TooManyConnections)
                {
                    await c.DisposeAsync().ConfigureAwait(false);
                    return false;
                }
                catch
                {
                    await c.DisposeAsync().ConfigureAwait(false);
                    throw;
                }
            }).ToList();
            refused = (await Task.WhenAll(opens).ConfigureAwait(false)).Contains(false);
        }

        _refilling = RefillAsync(_stopRefilling.Token);
    }

    /// <summary>Stops taking freed slots (the operator stopping or capping the client); the slots already held stay.
    /// Never throws: the refill loop ends on its own whatever its last open did.</summary>
    public async Task StopRefillingAsync()
    {
        await _stopRefilling.CancelAsync().ConfigureAwait(false);
        await _refilling.ConfigureAwait(false);
    }

    // Tries one more connection every 100 ms: a refusal (53300) means no slot is free; an open one is held. An open cut
    // short by the stop can surface as an NpgsqlException as well as a cancellation: once stopping, any failure ends the
    // loop quietly: escaping, it made the dispose that closes the held slots throw first (the likeliest path to a CI
    // run that lost every drill after this one to a full server; not reproduced here).
    private async Task RefillAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested && Held < max)
        {
            var c = new NpgsqlConnection(_cs);
            try
            {
                await c.OpenAsync(ct).ConfigureAwait(false);
                lock (_held) _held.Add(c);
                continue;
            }
            catch (Exception e) when (ct.IsCancellationRequested || e is NpgsqlException or TimeoutException)
            {
                await c.DisposeAsync().ConfigureAwait(false);
                if (ct.IsCancellationRequested) return;
            }

            try
            {
                await Task.Delay(100, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Ends the filler's sessions on the server (on a connection the caller opened before the slots ran out);
    /// returns how many were ended.</summary>
    public static async Task<int> FreeAsync(NpgsqlConnection admin, string application, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(admin);
        var ct = cancellationToken;
        await using var cmd = new NpgsqlCommand("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()", admin);
        cmd.Parameters.Add(new NpgsqlParameter { Value = application });
        return (int)(long)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
    }

    /// <summary>Undoes the fault: whatever it holds is released.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopRefillingAsync().ConfigureAwait(false);
        }
        finally
        {
            // The held slots are given back whatever happened before: a drill that failed must not leave the server full
            // for the next one (Pooling=false: an undisposed connection stays open until the process exits).
            List<NpgsqlConnection> held;
            lock (_held)
            {
                held = [.. _held];
                _held.Clear();
            }

            // First every session of the filler is ended by the server, from one of its own: a connection object lost
            // on the way (an open that raced a stop) cannot keep its slot. Then each is closed, one failure not
            // stopping the rest.
            if (held.FirstOrDefault(c => c.State == System.Data.ConnectionState.Open) is { } own)
            {
                try
                {
                    await FreeAsync(own, Application, CancellationToken.None).ConfigureAwait(false);
                }
                catch (NpgsqlException)
                {
                    // Its session was already ended (the mitigation frees the slots the same way).
                }
            }

            foreach (var c in held)
            {
                try
                {
                    await c.DisposeAsync().ConfigureAwait(false);
                }
                catch (Exception e) when (e is NpgsqlException or InvalidOperationException or IOException)
                {
                    // A session the server ended; the slot is free already.
                }
            }
        }
    }
}
