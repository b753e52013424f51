using Lifeguard.Hosting;

namespace Lifeguard.AspNetCore.Pools;

/// <summary>Reads every guarded pool into the body of /lifeguard/state.</summary>
internal static class LifeguardStateJson
{
    public static LifeguardState Of(LifeguardPools pools)
    {
        var primary = pools.Primary;
        PoolSnapshot? top = null;
        var list = new List<PoolSnapshot>(pools.All.Count);
        foreach (var pool in pools.All)
        {
            // One snapshot per pool, so the top and its entry in the list agree.
            var snapshot = pool.Guard.Snapshot() with { ServiceKey = pool.ServiceKey is null ? null : pool.Name };
            if (ReferenceEquals(pool, primary)) top = snapshot;
            list.Add(snapshot);
        }
        return LifeguardState.Of(top!, list);
    }
}
