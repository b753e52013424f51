using Npgsql;

namespace Lifeguard.Postgres.Fleet;

/// <summary>The guarded pool as the fleet governor caps it: the guard's concurrency gate, and Npgsql's Clear for the
/// idle connections above a lowered cap (Npgsql has no "close N idle": Clear closes the idle ones at once and the busy
/// ones when they are returned, so only what the cap admits is opened again).</summary>
internal sealed class GuardedPool(GuardedDataSource guard) : IGovernedPool
{
    public int MaximumPoolSize => guard.MaximumPoolSize;

    public int Cap => guard.ConcurrencyCap ?? guard.MaximumPoolSize;

    public int Leased => guard.LeasedConnections;

    public void SetCap(int? cap) => guard.SetConcurrencyCap(cap);

    public bool ClearIdle()
    {
        if (guard.Inner is not NpgsqlDataSource npgsql) return false;
        npgsql.Clear();
        return true;
    }
}
