namespace Lifeguard.Postgres.Activity;

/// <summary>The host's cumulative CPU time at one reading of /proc/stat, in clock ticks.</summary>
/// <param name="Busy">Time not idle and not waiting for I/O.</param>
/// <param name="Total">All time.</param>
internal readonly record struct HostCpuTimes(double Busy, double Total);
