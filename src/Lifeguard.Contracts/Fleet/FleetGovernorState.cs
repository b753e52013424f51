namespace Lifeguard.Fleet;

/// <summary>This instance's fleet governor after its latest heartbeat (Lifeguard:Fleet:Governor): its share of the
/// budget, the cap it enforces on its leases and the claim it published for the others to count.</summary>
public sealed record FleetGovernorState
{
    /// <summary>Its fair share of the governed budget now (the sizing advisor's demand of every instance, max-min fair).</summary>
    public int Share { get; init; }
    /// <summary>The most connections it leases at once from now on.</summary>
    public int Cap { get; init; }
    /// <summary>The cap it published in the registry: never below the connections it still holds.</summary>
    public int Claim { get; init; }
    /// <summary>Connections its measured load needs (what it asked the fleet for).</summary>
    public int Wanted { get; init; }
    /// <summary>The slots the governor shares out: the fleet's budget less the reserve for joining instances and less the
    /// pools of instances that run without the governor.</summary>
    public int Budget { get; init; }
    /// <summary>Why, in a sentence.</summary>
    public required string Reason { get; init; }
    /// <summary>When the cap last changed (the server's clock).</summary>
    public DateTimeOffset ChangedAt { get; init; }
}
