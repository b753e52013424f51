namespace Lifeguard.Configuration;

/// <summary>The catalogue of pool-configuration rules; ids are stable so CI logs and suppressions can name them.</summary>
public static class PoolRules
{
    /// <summary>The provider's own parser rejects the connection string (e.g. Npgsql 10 rejects `Max Pool Size`).</summary>
    public static readonly PoolRule ProviderRejected = new("LG001", "provider-rejected", FindingSeverity.Error, "The provider's own connection-string parser rejects a keyword or value.");

    /// <summary>Minimum Pool Size above Maximum Pool Size.</summary>
    public static readonly PoolRule MinimumAboveMaximum = new("LG002", "min-above-max", FindingSeverity.Error, "Minimum Pool Size is larger than Maximum Pool Size; the data source refuses to open.");

    /// <summary>Pooling=false: every open is a new server connection.</summary>
    public static readonly PoolRule PoolingDisabled = new("LG003", "pooling-disabled", FindingSeverity.Warning, "Pooling is off: every open creates a server connection, with no upper bound.");

    /// <summary>Timeout=0: a lease waits forever for a connection.</summary>
    public static readonly PoolRule TimeoutInfinite = new("LG004", "timeout-infinite", FindingSeverity.Error, "Timeout=0 makes a request wait forever when the pool is exhausted.");

    /// <summary>Acquire timeout not shorter than the request budget.</summary>
    public static readonly PoolRule TimeoutExceedsBudget = new("LG005", "timeout-exceeds-budget", FindingSeverity.Error, "The acquire Timeout is not shorter than the request budget (error when set, warning when the provider default).");

    /// <summary>Connection Lifetime 0: connections are never recycled.</summary>
    public static readonly PoolRule LifetimeInfinite = new("LG006", "lifetime-infinite", FindingSeverity.Warning, "Connection Lifetime=0 never recycles connections, so failovers and load-balancer changes are not picked up.");

    /// <summary>Connection Lifetime so short that connections churn.</summary>
    public static readonly PoolRule LifetimeTooShort = new("LG007", "lifetime-too-short", FindingSeverity.Warning, "Connection Lifetime under a minute makes the pool reconnect constantly.");

    /// <summary>Maximum Pool Size left at the provider default.</summary>
    public static readonly PoolRule PoolSizeDefault = new("LG008", "pool-size-default", FindingSeverity.Warning, "Maximum Pool Size is not set, so the provider default (100 for Npgsql) applies: a guess, not a size.");

    /// <summary>The fleet's pools exceed what the database can usefully run in parallel.</summary>
    public static readonly PoolRule AboveUsefulParallelism = new("LG009", "above-useful-parallelism", FindingSeverity.Warning, "All instances' pools together exceed the database cores × 4; extra connections add queueing in the database, not throughput.");

    /// <summary>Several distinct connection strings to one server.</summary>
    public static readonly PoolRule SeveralPoolsOneServer = new("LG010", "several-pools-one-server", FindingSeverity.Warning, "Distinct connection strings to one server are distinct pools; their sizes add up against max_connections.");

    /// <summary>The fleet's pools do not fit in the server's connection budget.</summary>
    public static readonly PoolRule FleetOverBudget = new("LG011", "fleet-over-budget", FindingSeverity.Error, "Instances × Maximum Pool Size (summed over pools) exceeds max_connections − reserved − other clients.");

    /// <summary>A connection string is empty in the checked file (supplied at run time), so its pool settings could not be checked.</summary>
    public static readonly PoolRule ConnectionStringEmpty = new("LG012", "connection-string-empty", FindingSeverity.Warning, "The connection string is empty in the file (supplied at run time by the environment or a secret store); its pool settings were not checked.");

    /// <summary>The port is PgBouncer's default (6432) but no pooler was declared, so the pooler rules did not run.</summary>
    public static readonly PoolRule PoolerPortHint = new("LG013", "pooler-port-hint", FindingSeverity.Warning, "The connection string's port is 6432, PgBouncer's default, but no pooler was declared: the pooler rules did not run.");

    /// <summary>Transaction or statement mode with No Reset On Close unset.</summary>
    public static readonly PoolRule PoolerResetOnClose = new("LG014", "pooler-reset-on-close", FindingSeverity.Warning, "Behind a transaction- or statement-mode pooler, No Reset On Close is unset: each return to the pool sends a reset that runs on whichever server connection the pooler picks.");

    /// <summary>Prepared statements through a pooler that does not track them.</summary>
    public static readonly PoolRule PoolerPreparedStatements = new("LG015", "pooler-prepared-statements", FindingSeverity.Error, "Prepared statements (Max Auto Prepare > 0 or explicit Prepare) through a transaction- or statement-mode PgBouncer older than 1.21 or with max_prepared_statements = 0.");

    /// <summary>Session state used by the application behind a transaction- or statement-mode pooler.</summary>
    public static readonly PoolRule PoolerSessionState = new("LG016", "pooler-session-state", FindingSeverity.Warning, "The application's source uses session state (SET, advisory locks, LISTEN, temp tables) that a transaction-mode pooler does not keep between transactions.");

    /// <summary>The fleet's application pools exceed the pooler's max_client_conn.</summary>
    public static readonly PoolRule PoolerClientLimit = new("LG017", "pooler-client-limit", FindingSeverity.Error, "Instances × Maximum Pool Size (summed over pools behind the pooler) exceeds the pooler's max_client_conn: the pooler refuses the connections past it.");

    /// <summary>The pooler's server-side pools exceed the server's usable slots.</summary>
    public static readonly PoolRule PoolerOverServerBudget = new("LG018", "pooler-over-server-budget", FindingSeverity.Error, "The pooler's pools (default_pool_size or pool_size per database/user pair, + reserve_pool_size, capped by max_db_connections) exceed max_connections − reserved − other clients.");

    /// <summary>Session mode: every application connection holds a server connection, so application pools above the pooler's pool queue inside the pooler.</summary>
    public static readonly PoolRule PoolerSessionModeQueue = new("LG019", "pooler-session-mode-queue", FindingSeverity.Warning, "In session mode each open application connection holds one of the pooler's server connections: application pools above the pooler's pool wait inside the pooler.");

    /// <summary>Every rule, in id order.</summary>
    public static IReadOnlyList<PoolRule> All { get; } =
    [
        ProviderRejected, MinimumAboveMaximum, PoolingDisabled, TimeoutInfinite, TimeoutExceedsBudget, LifetimeInfinite,
        LifetimeTooShort, PoolSizeDefault, AboveUsefulParallelism, SeveralPoolsOneServer, FleetOverBudget, ConnectionStringEmpty,
        PoolerPortHint, PoolerResetOnClose, PoolerPreparedStatements, PoolerSessionState, PoolerClientLimit, PoolerOverServerBudget, PoolerSessionModeQueue,
    ];
}
