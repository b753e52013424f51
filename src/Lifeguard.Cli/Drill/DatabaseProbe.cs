using System.Globalization;
using Npgsql;

namespace Lifeguard.Cli.Drill;

/// <summary>
/// The database side of the timeline, read outside the website's pool: active and total backends
/// from pg_stat_activity, and the CPU this cluster's processes use (from /proc, as the DB shares this host).
/// </summary>
internal sealed class DatabaseProbe : IAsyncDisposable
{
    private const double ClockTicksPerSecond = 100; // USER_HZ on Linux
    private readonly NpgsqlConnection _connection;
    private Dictionary<int, double>? _lastTicks;
    private DateTime _lastAt;

    private DatabaseProbe(NpgsqlConnection connection) => _connection = connection;

    public static async Task<DatabaseProbe> OpenAsync(string connectionString, CancellationToken ct)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, ApplicationName = "lifeguard-drill-probe" };
        var c = new NpgsqlConnection(b.ConnectionString);
        await c.OpenAsync(ct).ConfigureAwait(false);
        return new DatabaseProbe(c);
    }

    public async Task<int> MaxConnectionsAsync(CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int", _connection);
        return (int)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
    }

    /// <summary>How many of the website's seeded load-test users (user00001@lifeguard.local, ...) exist.</summary>
    public async Task<int> SeededUsersAsync(CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM users WHERE email LIKE 'user%@lifeguard.local'", _connection);
        return (int)(long)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
    }

    /// <summary>Active backends, all backends of the database, and postgres CPU in cores since the last call.</summary>
    public async Task<(int Active, int Total, double CpuCores)> ReadAsync(CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            "SELECT count(*) FILTER (WHERE state = 'active'), count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
            _connection);
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await r.ReadAsync(ct).ConfigureAwait(false);
        var active = (int)r.GetInt64(0);
        var total = (int)r.GetInt64(1);

        // This cluster's processes only (backends, workers, and the postmaster that forked them): on a shared
        // host other clusters' postgres processes would otherwise count as this database's CPU.
        await r.CloseAsync().ConfigureAwait(false);
        var pids = new HashSet<int>();
        await using (var pidCmd = new NpgsqlCommand("SELECT pid FROM pg_stat_activity", _connection))
        await using (var pr = await pidCmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await pr.ReadAsync(ct).ConfigureAwait(false)) pids.Add(pr.GetInt32(0));
        }

        var now = DateTime.UtcNow;
        var ticks = CpuTicks(pids);
        double cores;
        if (_lastTicks is null)
        {
            cores = double.NaN;
        }
        else
        {
            // A process that started since the last reading counts with all its ticks; one that ended is lost (a few ticks at most).
            var spent = ticks.Sum(kv => Math.Max(0, kv.Value - _lastTicks.GetValueOrDefault(kv.Key)));
            cores = spent / ClockTicksPerSecond / Math.Max(0.001, (now - _lastAt).TotalSeconds);
        }

        _lastTicks = ticks;
        _lastAt = now;
        return (active, total, cores);
    }

    /// <summary>utime+stime per process, for those of <paramref name="pids"/> and their parent postmaster that are still alive.</summary>
    private static Dictionary<int, double> CpuTicks(HashSet<int> pids)
    {
        var result = new Dictionary<int, double>();
        var parents = new HashSet<int>();
        foreach (var pid in pids)
        {
            if (Read(pid) is { } stat)
            {
                result[pid] = stat.Ticks;
                parents.Add(stat.Parent);
            }
        }

        foreach (var parent in parents)
        {
            if (!result.ContainsKey(parent) && Read(parent) is { Name: "postgres" } p) result[parent] = p.Ticks;
        }

        return result;
    }

    private static (string Name, int Parent, double Ticks)? Read(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var open = stat.IndexOf('(', StringComparison.Ordinal);
            var close = stat.LastIndexOf(')');
            if (open < 0 || close < 0) return null;
            var fields = stat[(close + 2)..].Split(' ');
            // After "(comm) ": state, ppid, ..., utime is the 12th and stime the 13th field.
            return (stat[(open + 1)..close], int.Parse(fields[1], CultureInfo.InvariantCulture),
                double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // the process ended while we read it
        }
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
