namespace Lifeguard.Postgres.Activity;

/// <summary>
/// CPU used by one PostgreSQL cluster's processes, read from /proc when the server runs on this host: its backends and
/// workers (by pid) and the postmaster that forked them. Other clusters on a shared host are not counted. Linux only;
/// elsewhere, or for a remote server, nothing is measured.
/// </summary>
internal sealed class PostgresProcessCpu
{
    private const double ClockTicksPerSecond = 100; // USER_HZ on Linux
    private Dictionary<int, double>? _lastTicks;
    private long _lastAt;

    /// <summary>True when <paramref name="host"/> (an Npgsql Host) is this machine, so its processes are in /proc.</summary>
    public static bool IsLocal(string? host)
    {
        var h = (host ?? "localhost").Trim();
        return h is "localhost" or "127.0.0.1" or "::1" || h.StartsWith('/');
    }

    /// <summary>
    /// Cores used since the previous call by <paramref name="pids"/> and their postmaster; null at the first call or when
    /// none of them can be read. A process that started since the previous call counts with all its CPU (it was all spent
    /// in the interval); one that ended is lost (a few ticks at most).
    /// </summary>
    public double? Sample(IEnumerable<int> pids, long timestamp, long timestampFrequency)
    {
        var ticks = new Dictionary<int, double>();
        var parents = new HashSet<int>();
        foreach (var pid in pids)
        {
            if (ReadStat(pid) is not { } stat) continue;
            ticks[pid] = stat.Ticks;
            parents.Add(stat.Parent);
        }
        foreach (var parent in parents)
        {
            if (!ticks.ContainsKey(parent) && ReadStat(parent) is { Name: "postgres" } p) ticks[parent] = p.Ticks;
        }
        if (ticks.Count == 0) return null;
        double? used = null;
        if (_lastTicks is not null)
        {
            var spent = ticks.Sum(kv => Math.Max(0, kv.Value - _lastTicks.GetValueOrDefault(kv.Key)));
            var seconds = (timestamp - _lastAt) / (double)timestampFrequency;
            if (seconds > 0) used = spent / ClockTicksPerSecond / seconds;
        }
        _lastTicks = ticks;
        _lastAt = timestamp;
        return used;
    }

    /// <summary>The command name, parent pid and utime+stime (in clock ticks) of a process; null when it cannot be read.</summary>
    internal static (string Name, int Parent, double Ticks)? ReadStat(int pid)
    {
        try
        {
            return ProcStat.ParseProcess(File.ReadAllText($"/proc/{pid}/stat"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // not on this host, or ended while read
        }
    }
}
