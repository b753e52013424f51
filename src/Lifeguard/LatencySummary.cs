namespace Lifeguard;

/// <summary>Count and percentiles (seconds) of a set of durations.</summary>
public sealed record LatencySummary(long Count, double P50, double P90, double P99, double Max, double Sum);
