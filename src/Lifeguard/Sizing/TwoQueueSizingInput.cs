using System.ComponentModel.DataAnnotations;
using Lifeguard.Configuration;

namespace Lifeguard.Sizing;

/// <summary>
/// The fleet behind a pooler: each instance's pool queues leases (the first queue), the pooler queues the fleet's
/// transactions for its server connections (the second), and the server's slots bound the pooler's pools.
/// </summary>
public sealed class TwoQueueSizingInput
{
    /// <summary>
    /// The fleet as for one queue: per-instance arrival rate and lease hold time, instances, the goal, the burst factor,
    /// the database's cores and the server's max_connections, reserved slots and other clients.
    /// </summary>
    [Required]
    public PoolSizingInput Fleet { get; set; } = new();

    /// <summary>The pooler's pool_mode: what a server connection is held for.</summary>
    public PoolerMode Mode { get; set; } = PoolerMode.Transaction;

    /// <summary>The pooler's max_client_conn: the fleet's application pools together must fit in it.</summary>
    [Range(1, 1_000_000)]
    public int MaxClientConnections { get; set; } = PoolerSettings.DefaultMaxClientConnections;

    /// <summary>Clients of the pooler other than this fleet's pools (other services, the admin console, the diagnoser).</summary>
    [Range(0, 1_000_000)]
    public int OtherPoolerClients { get; set; }

    /// <summary>Database/user pairs the pooler serves against this server, each with a pool of the recommended default_pool_size.</summary>
    [Range(1, 100_000)]
    public int DatabaseUserPairs { get; set; } = 1;

    /// <summary>The pooler's reserve_pool_size: extra server connections each pair may open.</summary>
    [Range(0, 100_000)]
    public int ReservePoolSize { get; set; }

    /// <summary>Transactions (statements in statement mode) each lease runs; each takes a server connection for <see cref="ServerHold"/>.</summary>
    [Range(0.001, 1_000)]
    public double TransactionsPerLease { get; set; } = 1;

    /// <summary>How long a transaction holds the pooler's server connection; null uses the lease hold time (no time between transactions).</summary>
    public HoldTimeDistribution? ServerHold { get; set; }
}
