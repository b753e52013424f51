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

    /// <summary>Every rule, in id order.</summary>
    public static IReadOnlyList<PoolRule> All { get; } =
    [
        ProviderRejected, MinimumAboveMaximum, PoolingDisabled, TimeoutInfinite, TimeoutExceedsBudget, LifetimeInfinite,
        LifetimeTooShort, PoolSizeDefault, AboveUsefulParallelism, SeveralPoolsOneServer, FleetOverBudget, ConnectionStringEmpty,
    ];
}
