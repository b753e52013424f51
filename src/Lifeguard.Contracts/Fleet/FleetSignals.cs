namespace Lifeguard.Fleet;

/// <summary>The fleet as one instance read it at its latest heartbeat: the live instances in the registry and the
/// server's budget for them.</summary>
public sealed record FleetSignals
{
    /// <summary>This instance's Application Name (<c>service/instance</c>).</summary>
    public required string Self { get; init; }
    /// <summary>When it was read (the server's clock).</summary>
    public DateTimeOffset At { get; init; }
    /// <summary>Live instances (heard from within the expiry), most slots held first.</summary>
    public IReadOnlyList<FleetInstance> Instances { get; init; } = [];
    /// <summary>The budget of the live instances.</summary>
    public required FleetBudget Budget { get; init; }
    /// <summary>This instance's fleet governor after the heartbeat; null when the governor is off.</summary>
    public FleetGovernorState? Governor { get; init; }
}
