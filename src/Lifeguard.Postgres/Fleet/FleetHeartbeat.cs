namespace Lifeguard.Postgres.Fleet;

/// <summary>What one instance writes at a heartbeat (its row in lifeguard.fleet_instances).</summary>
/// <param name="PoolMax">Maximum Pool Size.</param>
/// <param name="InUse">Connections leased now.</param>
/// <param name="Waiting">Callers waiting now.</param>
/// <param name="WaitP99Ms">Pool wait p99 since the previous heartbeat.</param>
/// <param name="Refused">Opens refused by the server (53300) since the previous heartbeat.</param>
/// <param name="Cause">The current diagnosis (a cause name), or null.</param>
/// <param name="Cap">The governor's cap, or null.</param>
/// <param name="Claim">The governor's published claim, or null.</param>
/// <param name="Wanted">Connections the measured load needs, or null.</param>
internal sealed record FleetHeartbeat(int PoolMax, int InUse, int Waiting, double WaitP99Ms, int Refused, string? Cause,
    int? Cap = null, int? Claim = null, int? Wanted = null);
