namespace Lifeguard.Fleet;

/// <summary>One live instance of the fleet as the registry holds it (lifeguard.fleet_instances), with the slots the
/// server shows it holding.</summary>
public sealed record FleetInstance
{
    /// <summary>The service it is an instance of (Lifeguard:Service).</summary>
    public required string Service { get; init; }
    /// <summary>Its name within the service (Lifeguard:Instance).</summary>
    public required string Instance { get; init; }
    /// <summary>Its provider pool's Maximum Pool Size: the most slots it may take.</summary>
    public int PoolMax { get; init; }
    /// <summary>Connections leased at its last heartbeat.</summary>
    public int InUse { get; init; }
    /// <summary>Callers waiting for a connection at its last heartbeat.</summary>
    public int Waiting { get; init; }
    /// <summary>Pool wait p99 since its previous heartbeat.</summary>
    public double WaitP99Ms { get; init; }
    /// <summary>Connection opens the server refused (53300) since its previous heartbeat.</summary>
    public int Refused { get; init; }
    /// <summary>Its diagnosis at its last heartbeat (a cause name); null before its first.</summary>
    public string? Cause { get; init; }
    /// <summary>Server sessions named <c>service/instance</c> (its Application Name) at the reading: the slots it holds.</summary>
    public int SlotsHeld { get; init; }
    /// <summary>When it joined the fleet.</summary>
    public DateTimeOffset StartedAt { get; init; }
    /// <summary>Its last heartbeat (the server's clock).</summary>
    public DateTimeOffset HeartbeatAt { get; init; }
    /// <summary>The governor's cap on its leases; null without the governor.</summary>
    public int? Cap { get; init; }
    /// <summary>The cap it published for the others to count; null without the governor.</summary>
    public int? Claim { get; init; }
    /// <summary>Connections its measured load needs (the sizing advisor's answer); null before it measured any.</summary>
    public int? Wanted { get; init; }

    /// <summary>The Application Name its sessions carry: <c>service/instance</c>.</summary>
    public string ApplicationName => Service + "/" + Instance;
}
