namespace Lifeguard.Attribution;

/// <summary>Who holds the connections: lease count and hold times of one operation (route).</summary>
/// <param name="Operation">The operation name, or "other" for names beyond the cardinality cap.</param>
/// <param name="Leases">Leases returned so far.</param>
/// <param name="TotalHoldSeconds">Sum of hold times.</param>
/// <param name="P99HoldSeconds">99th percentile hold time.</param>
/// <param name="MaxHoldSeconds">Longest hold.</param>
public sealed record OperationStats(string Operation, long Leases, double TotalHoldSeconds, double P99HoldSeconds, double MaxHoldSeconds);
