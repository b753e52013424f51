namespace Lifeguard.Diagnosis;

/// <summary>What the connection pooler in front of the server (PgBouncer) shows at one sample for the application's
/// database/user pair, read on its admin console: the second queue a request waits in.</summary>
public sealed record PoolerSignals
{
    /// <summary>Whether the admin console answered this sample.</summary>
    public required bool Reachable { get; init; }
    /// <summary>Why it did not (for the evidence only).</summary>
    public string? Error { get; init; }
    /// <summary>Which pooler, e.g. "pgbouncer".</summary>
    public string Kind { get; init; } = "pgbouncer";
    /// <summary>The admin console's host:port.</summary>
    public string? Address { get; init; }
    /// <summary>The pair's database as the pooler names it.</summary>
    public string? Database { get; init; }
    /// <summary>The pair's user.</summary>
    public string? User { get; init; }
    /// <summary>pool_mode of the pair (session, transaction, statement).</summary>
    public string? PoolMode { get; init; }
    /// <summary>Server connections the pooler keeps for the pair (the database's pool_size, else default_pool_size).</summary>
    public int PoolSize { get; init; }
    /// <summary>reserve_pool_size: extra server connections it may open when clients wait too long.</summary>
    public int ReservePoolSize { get; init; }
    /// <summary>Clients linked to a server connection or idle (cl_active).</summary>
    public int ClientsActive { get; init; }
    /// <summary>Clients that sent a query and wait for a server connection (cl_waiting): the pooler's queue.</summary>
    public int ClientsWaiting { get; init; }
    /// <summary>Server connections linked to a client (sv_active).</summary>
    public int ServersActive { get; init; }
    /// <summary>Server connections idle and ready (sv_idle).</summary>
    public int ServersIdle { get; init; }
    /// <summary>Server connections idle, to be checked before reuse (sv_used).</summary>
    public int ServersUsed { get; init; }
    /// <summary>Server connections being tested or reset (sv_tested).</summary>
    public int ServersTested { get; init; }
    /// <summary>Server connections logging in (sv_login).</summary>
    public int ServersLogin { get; init; }
    /// <summary>How long the oldest waiting client has waited (maxwait + maxwait_us).</summary>
    public double MaxWaitSeconds { get; init; }
    /// <summary>Average wait of a client for a server connection over the pooler's last stats period (SHOW STATS avg_wait_time).</summary>
    public double AverageWaitMs { get; init; }
    /// <summary>Time clients of the database spent waiting for a server connection since the pooler started (total_wait_time).</summary>
    public double TotalWaitSeconds { get; init; }
    /// <summary>Client connections to the pooler in all, every pair (SHOW LISTS used_clients).</summary>
    public int ClientConnections { get; init; }
    /// <summary>max_client_conn: beyond it the pooler refuses new clients.</summary>
    public int MaxClientConnections { get; init; }
    /// <summary>Server connections of the database, every user (SHOW DATABASES current_connections).</summary>
    public int DatabaseServerConnections { get; init; }
    /// <summary>The database's cap on server connections (max_db_connections, per database or global); null when unlimited.</summary>
    public int? MaxDbConnections { get; init; }
    /// <summary>Active server connections of the pair that have run longest: who holds the pooler's pool.</summary>
    public IReadOnlyList<PoolerHolder> Holders { get; init; } = [];

    /// <summary>Server connections the pair may have at once: pool and reserve, within max_db_connections.</summary>
    public int PoolLimit => Math.Min(PoolSize + ReservePoolSize, MaxDbConnections ?? int.MaxValue);
}
