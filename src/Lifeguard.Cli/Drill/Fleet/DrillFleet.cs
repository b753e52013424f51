namespace Lifeguard.Cli.Drill.Fleet;

/// <summary>The fleet drill's own part of drill.json: the server, the fleet, and each run's instances side by side.</summary>
/// <param name="Instances">Website instances on the one server.</param>
/// <param name="PoolMaxPerInstance">Each instance's Maximum Pool Size (the same in both runs).</param>
/// <param name="UsersPerInstance">Closed-loop users driving each instance in the surge.</param>
/// <param name="MaxConnections">The server's max_connections.</param>
/// <param name="UsableSlots">Its slots for clients (max_connections less the reserved ones), read before any instance started.</param>
/// <param name="Runs">Without the governor first, then with it.</param>
internal sealed record DrillFleet(int Instances, int PoolMaxPerInstance, int UsersPerInstance, int MaxConnections, int UsableSlots, IReadOnlyList<DrillFleetRun> Runs)
{
    /// <summary>Σ pool max: what the instances may open together.</summary>
    public int Demand => Instances * PoolMaxPerInstance;
}

/// <summary>One run of the fleet under the same surge.</summary>
/// <param name="Label">"without the governor" or "with the governor".</param>
/// <param name="Governor">Lifeguard:Fleet:Governor on every instance.</param>
/// <param name="SurgeS">How long the surge ran.</param>
/// <param name="RefusedByServer">Connections PostgreSQL refused in the run (its log: "too many clients").</param>
/// <param name="MostFleetSessions">The most server sessions the instances' pools held at one sample.</param>
/// <param name="LeastBudget">The fewest slots the other clients left the pools at one sample.</param>
/// <param name="MostClaims">With the governor: the largest sum of published claims at one sample.</param>
/// <param name="OverBudgetSamples">With the governor: samples whose claims exceeded the largest budget of the heartbeat interval before them.</param>
/// <param name="Instances">Each instance's figures.</param>
internal sealed record DrillFleetRun(
    string Label, bool Governor, double SurgeS, int RefusedByServer, int MostFleetSessions, int LeastBudget, int? MostClaims, int OverBudgetSamples,
    IReadOnlyList<DrillFleetInstance> Instances);

/// <summary>One instance in one run.</summary>
/// <param name="Instance">Its Lifeguard:Instance (Application Name Lifeguard.Website/instance).</param>
/// <param name="Requests">Its users' requests in the surge.</param>
/// <param name="Errors">Those that failed (a page whose connection the server refused is a 503).</param>
/// <param name="P50Ms">Request latency p50 in the surge.</param>
/// <param name="P99Ms">Request latency p99 in the surge.</param>
/// <param name="Refused">Connection opens the server refused it (53300), as its heartbeats reported them.</param>
/// <param name="MostSlots">The most server sessions it held at one sample.</param>
/// <param name="Cause">The first cause its live diagnosis named in the surge (healthy when none).</param>
/// <param name="NamedAfterS">Seconds from the surge's start to that naming.</param>
/// <param name="FleetEvidence">Whether that diagnosis said the fleet oversubscribes the server.</param>
/// <param name="Evidence">The lines of that diagnosis that speak of the fleet and its slots.</param>
/// <param name="LastCap">With the governor: the cap it enforced at the end.</param>
internal sealed record DrillFleetInstance(
    string Instance, long Requests, long Errors, double P50Ms, double P99Ms, int Refused, int MostSlots, string Cause, double? NamedAfterS,
    bool FleetEvidence, IReadOnlyList<string> Evidence, int? LastCap);
