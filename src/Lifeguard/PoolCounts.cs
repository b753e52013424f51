namespace Lifeguard;

/// <summary>Exact physical connection counts a provider can report through <see cref="LifeguardOptions.PoolCountsProvider"/>.</summary>
/// <param name="Idle">Open physical connections waiting in the pool.</param>
/// <param name="Busy">Physical connections handed out.</param>
public readonly record struct PoolCounts(int Idle, int Busy);
