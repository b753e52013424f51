namespace Lifeguard.Configuration;

/// <summary>When the pooler gives a server connection back to its pool (PgBouncer's pool_mode).</summary>
public enum PoolerMode
{
    /// <summary>When the client disconnects: every session feature works, nothing is multiplexed.</summary>
    Session,

    /// <summary>When the transaction ends: session state (SET, advisory locks, LISTEN, temp tables) does not survive between transactions.</summary>
    Transaction,

    /// <summary>When the statement ends: multi-statement transactions are refused.</summary>
    Statement,
}
