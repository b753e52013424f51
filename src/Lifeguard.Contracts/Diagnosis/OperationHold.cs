namespace Lifeguard.Diagnosis;

/// <summary>How long one operation (route) held the pool's connections during one sampling interval.</summary>
/// <param name="Operation">The operation name (see LifeguardOptions.TrackOperations), "(none)" without one, "other" past the cap.</param>
/// <param name="Returned">Leases it returned in the interval.</param>
/// <param name="HoldP99Ms">p99 hold time of those leases.</param>
/// <param name="HoldTotalMs">Their summed hold time: the connection-time it took.</param>
/// <param name="ShareOfHold">Its share (0..1) of all connection-time taken in the interval.</param>
public sealed record OperationHold(string Operation, long Returned, double HoldP99Ms, double HoldTotalMs, double ShareOfHold);
