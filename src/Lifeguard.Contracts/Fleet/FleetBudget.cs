namespace Lifeguard.Fleet;

/// <summary>The fleet's connection budget on one server: the slots its pools may take together, and what they ask for.</summary>
/// <param name="UsableSlots">max_connections less the reserved slots.</param>
/// <param name="OtherClients">Slots held by sessions that are no live instance's pool (other applications, tools,
/// Lifeguard's own readers).</param>
/// <param name="Demand">What the live instances' pools may open together: Σ Maximum Pool Size, or the fleet governor's
/// claim for an instance that publishes one (its cap may not exceed it).</param>
/// <param name="Instances">Live instances.</param>
public sealed record FleetBudget(int UsableSlots, int OtherClients, int Demand, int Instances)
{
    /// <summary>Slots left for the fleet's pools: usable slots less other clients'.</summary>
    public int Budget => Math.Max(0, UsableSlots - OtherClients);

    /// <summary>Whether the pools together may open more connections than the server has slots for them.</summary>
    public bool Oversubscribed => Demand > Budget;

    /// <summary>The Maximum Pool Size per instance with which the fleet fits (the budget shared evenly); 0 without instances.</summary>
    public int FitsPerInstance => Instances == 0 ? 0 : Budget / Instances;

    /// <summary>The budget of <paramref name="instances"/> on a server with <paramref name="usableSlots"/> of which
    /// <paramref name="clientBackends"/> are taken now: every slot the instances' pools do not hold is another client's.</summary>
    public static FleetBudget Of(int usableSlots, int clientBackends, IReadOnlyList<FleetInstance> instances)
    {
        ArgumentNullException.ThrowIfNull(instances);
        var held = instances.Sum(i => i.SlotsHeld);
        var demand = instances.Sum(i => i.Claim is { } claim ? Math.Min(claim, i.PoolMax) : i.PoolMax);
        return new FleetBudget(Math.Max(0, usableSlots), Math.Max(0, clientBackends - held), demand, instances.Count);
    }
}
