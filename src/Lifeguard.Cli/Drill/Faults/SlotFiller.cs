using Npgsql;

namespace Lifeguard.Cli.Drill.Faults;

/// <summary>
/// Other clients taking the server's free connection slots: opens idle connections (application
/// <see cref="Application"/>) until the server refuses one with "too many clients" (SQLSTATE 53300). Freeing the slots
/// is ending those sessions, which is what <see cref="FreeAsync"/> does through the server (pg_terminate_backend by
/// application_name), as an operator would for a client they cannot reach. Like a fleet of clients that reconnect,
/// it keeps taking every slot that frees up (a pool pruning an idle connection) until <see cref="StopRefillingAsync"/>:
/// without that, the one slot another pool releases stays free for it and the fault never bites.
/// </summary>
internal sealed class SlotFiller(string connectionString, int max = 500) : IDrillFault
{
    public const string Application = "lifeguard-drill-slot-filler";
    private readonly List<NpgsqlConnection> _held = [];
    private readonly CancellationTokenSource _stopRefilling = new();
    private Task _refilling = Task.CompletedTask;
    private string _cs = "";

    public string Description => $"{Held} idle connections of '{Application}' holding every free slot";

    public int Held
    {
        get
        {
            lock (_held) return _held.Count;
        }
    }

    public async Task InjectAsync(CancellationToken ct)
    {
        var cs = _cs = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, ApplicationName = Application, Timeout = 5 }.ConnectionString;
        // Eight at a time (each open authenticates, which takes a while on a busy host) until the server refuses.
        var refused = false;
        while (!refused && Held < max)
        {
            var batch = Enumerable.Range(0, Math.Min(8, max - Held)).Select(_ => new NpgsqlConnection(cs)).ToList();
            var opens = batch.Select(async c =>
            {
                try
                {
                    await c.OpenAsync(ct).ConfigureAwait(false);
                    return true;
                }
                catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.TooManyConnections)
                {
                    return false;
                }
            }).ToList();
            var results = await Task.WhenAll(opens).ConfigureAwait(false);
            for (var i = 0; i < batch.Count; i++)
            {
                if (results[i])
                {
                    lock (_held) _held.Add(batch[i]);
                }
                else
                {
                    refused = true;
                    await batch[i].DisposeAsync().ConfigureAwait(false);
                }
            }
        }
        _refilling = RefillAsync(_stopRefilling.Token);
    }

    /// <summary>Stops taking freed slots (the operator stopping or capping the client); the slots already held stay.</summary>
    public async Task StopRefillingAsync()
    {
        await _stopRefilling.CancelAsync().ConfigureAwait(false);
        try
        {
            await _refilling.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    // Tries one more connection every 100 ms: a refusal (53300) means no slot is free; an open one is held.
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
            catch (Exception e) when (e is NpgsqlException or TimeoutException && !ct.IsCancellationRequested)
            {
                await c.DisposeAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                await c.DisposeAsync().ConfigureAwait(false);
                return;
            }
            await Task.Delay(100, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Ends the filler's sessions on the server (on a connection the caller opened before the slots ran out);
    /// returns how many were ended.</summary>
    public static async Task<int> FreeAsync(NpgsqlConnection admin, string application, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()", admin);
        cmd.Parameters.Add(new NpgsqlParameter { Value = application });
        return (int)(long)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
    }

    public async ValueTask DisposeAsync()
    {
        await StopRefillingAsync().ConfigureAwait(false);
        List<NpgsqlConnection> held;
        lock (_held)
        {
            held = [.. _held];
            _held.Clear();
        }
        foreach (var c in held) await c.DisposeAsync().ConfigureAwait(false);
    }
}
