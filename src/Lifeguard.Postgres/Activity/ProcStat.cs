using System.Globalization;

namespace Lifeguard.Postgres.Activity;

/// <summary>
/// Parses Linux's /proc files the CPU readings come from: the host's totals (the first line of /proc/stat), one
/// process's /proc/PID/stat, and the processors in /proc/cpuinfo. Pure: the callers read the files.
/// </summary>
internal static class ProcStat
{
    /// <summary>The host's busy and total CPU time (in clock ticks) from the first line of /proc/stat: user nice system
    /// idle iowait irq softirq steal ...; busy is all but idle and iowait. Null when the line is not that.</summary>
    public static HostCpuTimes? ParseHostLine(string line)
    {
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 6 || fields[0] != "cpu") return null;
        var v = new double[Math.Min(8, fields.Length - 1)];
        for (var i = 0; i < v.Length; i++)
        {
            if (!double.TryParse(fields[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out v[i])) return null;
        }
        var total = v.Sum();
        return new HostCpuTimes(total - v[3] - v[4], total);
    }

    /// <summary>Share of the host's CPU time busy between two readings (0..1); null when no time passed.</summary>
    public static double? BusyShare(HostCpuTimes before, HostCpuTimes now) =>
        now.Total > before.Total ? Math.Round((now.Busy - before.Busy) / (now.Total - before.Total), 3) : null;

    /// <summary>The command name, parent pid and utime+stime (in clock ticks) of a process from its /proc/PID/stat;
    /// null when the text is not that. The name is in parentheses and may itself contain spaces and parentheses.</summary>
    public static (string Name, int Parent, double Ticks)? ParseProcess(string stat)
    {
        var open = stat.IndexOf('(', StringComparison.Ordinal);
        var close = stat.LastIndexOf(')');
        if (open < 0 || close < open || close + 2 > stat.Length) return null;
        var fields = stat[(close + 2)..].Split(' ');
        // After "(comm) ": state, ppid, ..., utime is the 12th and stime the 13th field.
        if (fields.Length < 13
            || !int.TryParse(fields[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var parent)
            || !double.TryParse(fields[11], NumberStyles.Float, CultureInfo.InvariantCulture, out var user)
            || !double.TryParse(fields[12], NumberStyles.Float, CultureInfo.InvariantCulture, out var system))
            return null;
        return (stat[(open + 1)..close], parent, user + system);
    }

    /// <summary>The processors listed in /proc/cpuinfo (0 when none is).</summary>
    public static int CountProcessors(IEnumerable<string> cpuinfo) =>
        cpuinfo.Count(l => l.StartsWith("processor", StringComparison.Ordinal));
}
