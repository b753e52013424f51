using Npgsql;

namespace Lifeguard.Cli.Drill.Faults;

/// <summary>
/// Other clients taking the server's free connection slots: opens idle connections (application
/// <see cref="Application"/>) until the server refuses one with "too many clients" (SQLSTATE 53300). Freeing the slots
/// is ending those sessions, which is what <see cref="FreeAsync"/> does through the server (pg_terminate_backend by
/// application_name), as an operator would for a client they cannot reach.
/// </summary>
internal sealed class SlotFiller(string connectionString, int max = 500) : IDrillFault
{
    public const string Application = "lifeguard-drill-slot-filler";
    private readonly List<NpgsqlConnection> _held = [];

    public string Description => $"{_held.Count} idle connections of '{Application}' holding every free slot";

    public int Held => _held.Count;

    public async Task InjectAsync(CancellationToken ct)
    {
        var cs = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, ApplicationName = Application, Timeout = 5 }.ConnectionString;
        // Eight at a time (each open authenticates, which takes a while on a busy host) until the server refuses.
        var refused = false;
        while (!refused && _held.Count < max)
        {
            var batch = Enumerable.Range(0, Math.Min(8, max - _held.Count)).Select(_ => new NpgsqlConnection(cs)).ToList();
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
                if (results[i]) _held.Add(batch[i]);
                else
                {
                    refused = true;
                    await batch[i].DisposeAsync().ConfigureAwait(false);
                }
            }
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
        foreach (var c in _held) await c.DisposeAsync().ConfigureAwait(false);
        _held.Clear();
    }
}
