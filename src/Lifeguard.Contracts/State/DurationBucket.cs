namespace Lifeguard;

/// <summary>One bucket of a <see cref="DurationHistogram"/>: how many durations were longer than
/// <paramref name="AboveSeconds"/> and at most <paramref name="UpToSeconds"/>.</summary>
/// <param name="AboveSeconds">The bucket's lower bound (exclusive), seconds.</param>
/// <param name="UpToSeconds">The bucket's upper bound (inclusive), seconds.</param>
/// <param name="Count">Durations in the bucket.</param>
public sealed record DurationBucket(double AboveSeconds, double UpToSeconds, long Count);
