using System.Globalization;
using Npgsql;

namespace Lifeguard.Cli.Drill;

/// <summary>
/// The database side of the timeline, read outside the website's pool: active and total backends
/// from pg_stat_activity, and the CPU the postgres processes use (from /proc, as the DB shares this host).
/// </summary>
internal sealed class DatabaseProbe : IAsyncDisposable
{
    private const double ClockTicksPerSecond = 100; // USER_HZ on Linux
    private readonly NpgsqlConnection _connection;
    private double _lastCpuTicks = double.NaN;
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

        var ticks = PostgresCpuTicks();
        var now = DateTime.UtcNow;
        var cores = double.IsNaN(_lastCpuTicks) ? double.NaN : (ticks - _lastCpuTicks) / ClockTicksPerSecond / Math.Max(0.001, (now - _lastAt).TotalSeconds);
        _lastCpuTicks = ticks;
        _lastAt = now;
        return (active, total, cores);
    }

    /// <summary>utime+stime of every process named postgres (the server's backends and workers).</summary>
    private static double PostgresCpuTicks()
    {
        double sum = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            var name = Path.GetFileName(dir);
            if (name.Length == 0 || !char.IsAsciiDigit(name[0])) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var open = stat.IndexOf('(', StringComparison.Ordinal);
                var close = stat.LastIndexOf(')');
                if (open < 0 || close < 0 || !stat[(open + 1)..close].StartsWith("postgres", StringComparison.Ordinal)) continue;
                var fields = stat[(close + 2)..].Split(' ');
                sum += double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // The process ended while we read it.
            }
        }

        return sum;
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
