namespace Lifeguard.Configuration;

/// <summary>
/// The pooler in front of the server (PgBouncer), as far as the check and the sizing advisor need it.
/// Defaults are PgBouncer's own; a value the source did not give stays at its default or null.
/// </summary>
public sealed record PoolerSettings
{
    /// <summary>PgBouncer's default for max_client_conn.</summary>
    public const int DefaultMaxClientConnections = 100;

    /// <summary>PgBouncer's default for default_pool_size.</summary>
    public const int DefaultDefaultPoolSize = 20;

    /// <summary>The first PgBouncer release that tracks protocol-level prepared statements in transaction mode (max_prepared_statements).</summary>
    public static readonly Version PreparedStatementsSince = new(1, 21);

    /// <summary>Which pooler, e.g. "pgbouncer".</summary>
    public string Kind { get; init; } = "pgbouncer";

    /// <summary>Where the settings came from (flags, a pgbouncer.ini path, the admin console), for messages.</summary>
    public string Source { get; init; } = "flags";

    /// <summary>pool_mode (PgBouncer's default is session).</summary>
    public PoolerMode Mode { get; init; } = PoolerMode.Session;

    /// <summary>The pooler's version, when known.</summary>
    public Version? Version { get; init; }

    /// <summary>The port the pooler listens on (listen_port), when known: only connection strings to this port are behind it.</summary>
    public int? ListenPort { get; init; }

    /// <summary>max_client_conn: client connections the pooler accepts in all.</summary>
    public int MaxClientConnections { get; init; } = DefaultMaxClientConnections;

    /// <summary>default_pool_size: server connections per database/user pair.</summary>
    public int DefaultPoolSize { get; init; } = DefaultDefaultPoolSize;

    /// <summary>reserve_pool_size: extra server connections a pair may open when clients wait too long.</summary>
    public int ReservePoolSize { get; init; }

    /// <summary>max_db_connections per database; null when unlimited (0 in PgBouncer).</summary>
    public int? MaxDbConnections { get; init; }

    /// <summary>max_prepared_statements (PgBouncer 1.21+); null when the source did not say.</summary>
    public int? MaxPreparedStatements { get; init; }

    /// <summary>
    /// The pool size of every database/user pair the pooler serves against this server (a [databases] entry's
    /// pool_size, else default_pool_size); empty means one pair at <see cref="DefaultPoolSize"/>.
    /// </summary>
    public IReadOnlyList<int> PairPoolSizes { get; init; } = [];

    /// <summary>The pairs' pool sizes, one pair at <see cref="DefaultPoolSize"/> when none was listed.</summary>
    public IReadOnlyList<int> EffectivePairPoolSizes => PairPoolSizes.Count == 0 ? [DefaultPoolSize] : PairPoolSizes;

    /// <summary>Server connections the pooler may open in all: Σ over pairs of min(pool size + reserve, max_db_connections).</summary>
    public long MaximumServerConnections =>
        EffectivePairPoolSizes.Sum(size => (long)Math.Min(size + ReservePoolSize, MaxDbConnections ?? int.MaxValue));
}
