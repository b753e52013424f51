namespace Lifeguard.Postgres.Activity;

/// <summary>
/// The CPU of this host, read from /proc when the database server runs on it: how busy it was since the previous
/// reading, and how many cores it has. Sessions on a host whose CPUs are all busy queue for CPU even when the server's
/// own processes get less than its cores. Linux only; elsewhere nothing is measured.
/// </summary>
internal sealed class HostCpu
{
    private HostCpuTimes? _last;

    /// <summary>Share of the host's CPU time busy since the previous call (0..1); null at the first call or when
    /// /proc/stat cannot be read.</summary>
    public double? Busy()
    {
        try
        {
            if (ProcStat.ParseHostLine(File.ReadLines("/proc/stat").First()) is not { } now) return null;
            var last = _last;
            _last = now;
            return last is { } before ? ProcStat.BusyShare(before, now) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The processors in /proc/cpuinfo, else the ones this process may use.</summary>
    public static double Cores()
    {
        try
        {
            var n = ProcStat.CountProcessors(File.ReadLines("/proc/cpuinfo"));
            return n > 0 ? n : Environment.ProcessorCount;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Environment.ProcessorCount;
        }
    }
}
