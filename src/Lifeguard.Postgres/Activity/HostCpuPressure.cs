using System.Globalization;

namespace Lifeguard.Postgres.Activity;

/// <summary>
/// This host's CPU pressure from Linux's pressure stall information (/proc/pressure/cpu): the share of wall time in which
/// at least one runnable task waited for a CPU. Unlike "CPUs busy" it separates a host that is merely busy from one whose
/// tasks queue for a core — and every wake-up a round trip needs queues with them. Linux 4.20+ with PSI enabled; null
/// elsewhere.
/// </summary>
internal sealed class HostCpuPressure(TimeProvider time)
{
    private (double StallUs, long At)? _last;

    /// <summary>Share of the time since the previous call (0..1) in which some task waited for a CPU; null at the first
    /// call or when the file cannot be read.</summary>
    public double? Share()
    {
        try
        {
            if (ParseSomeTotal(File.ReadLines("/proc/pressure/cpu")) is not { } stall) return null;
            var now = time.GetTimestamp();
            var last = _last;
            _last = (stall, now);
            if (last is not { } before) return null;
            var elapsedUs = time.GetElapsedTime(before.At, now).TotalMicroseconds;
            return elapsedUs > 0 ? Math.Round(Math.Clamp((stall - before.StallUs) / elapsedUs, 0, 1), 3) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>The cumulative stall time in microseconds of the "some" line ("some avg10=.. avg60=.. avg300=.. total=N");
    /// null when there is none.</summary>
    public static double? ParseSomeTotal(IEnumerable<string> lines)
    {
        foreach (var line in lines)
        {
            if (!line.StartsWith("some ", StringComparison.Ordinal)) continue;
            foreach (var field in line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (field.StartsWith("total=", StringComparison.Ordinal)
                    && double.TryParse(field.AsSpan(6), NumberStyles.Float, CultureInfo.InvariantCulture, out var total))
                    return total;
            }
        }
        return null;
    }
}
