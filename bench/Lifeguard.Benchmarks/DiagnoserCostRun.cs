using System.Diagnostics;
using System.Globalization;
using Lifeguard.Postgres.Diagnosis;
using Npgsql;

namespace Lifeguard.Benchmarks;

/// <summary>
/// What the diagnoser's sampling costs the database: it samples once a second for a while on its one connection, and
/// its own statements' execution time (pg_stat_statements, marked "lifeguard-diagnoser") and its backend's CPU
/// (/proc, when the server is local) are read before and after and set against one core.
/// </summary>
internal static class DiagnoserCostRun
{
    public static async Task RunAsync(string connectionString, int seconds, int idleSessions)
    {
        var extra = new List<NpgsqlConnection>();
        for (var i = 0; i < idleSessions; i++)
        {
            var c = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, ApplicationName = "bench-idle" }.ConnectionString);
            await c.OpenAsync();
            extra.Add(c);
        }
        await using var source = new PostgresServerSignalSource(connectionString);
        await source.SampleAsync(CancellationToken.None); // connects
        await using var observer = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, ApplicationName = "bench-observer" }.ConnectionString);
        await observer.OpenAsync();
        var pid = await ScalarAsync<int>(observer, "SELECT pid FROM pg_stat_activity WHERE application_name = 'lifeguard-diagnoser' ORDER BY backend_start DESC LIMIT 1");
        var (calls0, exec0, plan0) = await StatsAsync(observer);
        var ticks0 = Ticks(pid);
        var clock = Stopwatch.StartNew();
        var sessions = 0;
        for (var i = 0; i < seconds; i++)
        {
            var s = await source.SampleAsync(CancellationToken.None);
            sessions = s.Backends;
            var next = TimeSpan.FromSeconds(i + 1) - clock.Elapsed;
            if (next > TimeSpan.Zero) await Task.Delay(next);
        }
        var elapsed = clock.Elapsed.TotalSeconds;
        var (calls1, exec1, plan1) = await StatsAsync(observer);
        var ticks1 = Ticks(pid);
        foreach (var c in extra) await c.DisposeAsync();

        var execMs = exec1 - exec0;
        var planMs = plan1 - plan0;
        Console.WriteLine(F($"diagnoser cost: {seconds} samples in {elapsed:0.0} s, {sessions} client backends, backend pid {pid}"));
        Console.WriteLine(F($"  its statements (pg_stat_statements): {calls1 - calls0} calls, {execMs:0.0} ms execution + {planMs:0.0} ms planning = {(execMs + planMs) / elapsed:0.00} ms per second = {(execMs + planMs) / elapsed / 10:0.000} % of one core"));
        if (ticks0 is { } t0 && ticks1 is { } t1)
            Console.WriteLine(F($"  its backend process (/proc utime+stime): {(t1 - t0) * 10:0} ms CPU = {(t1 - t0) * 10 / elapsed:0.00} ms per second = {(t1 - t0) * 10 / elapsed / 10:0.000} % of one core"));
        Console.WriteLine("  cpu: " + (File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown"));
    }

    private static async Task<(long Calls, double Exec, double Plan)> StatsAsync(NpgsqlConnection c)
    {
        await using var cmd = new NpgsqlCommand(
            "SELECT coalesce(sum(calls), 0)::bigint, coalesce(sum(total_exec_time), 0), coalesce(sum(total_plan_time), 0) FROM pg_stat_statements WHERE query LIKE '%lifeguard-diagnoser%'", c);
        await using var r = await cmd.ExecuteReaderAsync();
        await r.ReadAsync();
        return (r.GetInt64(0), r.GetDouble(1), r.GetDouble(2));
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection c, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, c);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    // utime + stime in clock ticks (10 ms each on Linux); null when the server is not on this host.
    private static double? Ticks(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
