namespace Lifeguard.Sizing;

/// <summary>One way of choosing the pool size, with what that size measured.</summary>
internal sealed record SweepCandidate(string Rule, int PoolSize, double ThroughputRps, double P50Ms, double P99Ms, double ErrorRate, double PoolWaitP99Ms, bool WithinTolerance);
