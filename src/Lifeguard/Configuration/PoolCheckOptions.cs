using System.ComponentModel.DataAnnotations;

namespace Lifeguard.Configuration;

/// <summary>What the configuration rules compare against: the request budget, the fleet and the server.</summary>
public sealed class PoolCheckOptions
{
    /// <summary>How long a whole request may take; the acquire timeout must be shorter.</summary>
    public TimeSpan RequestBudget { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Number of application instances sharing the server, each with these pools.</summary>
    [Range(1, 100_000)]
    public int Instances { get; set; } = 1;

    /// <summary>The server's max_connections, when known.</summary>
    [Range(1, 1_000_000)]
    public int? ServerMaxConnections { get; set; }

    /// <summary>Reserved slots (superuser_reserved_connections, + reserved_connections on PostgreSQL 16+).</summary>
    [Range(0, 1_000_000)]
    public int ReservedConnections { get; set; }

    /// <summary>Connections other clients hold on the server.</summary>
    [Range(0, 1_000_000)]
    public int OtherClientConnections { get; set; }

    /// <summary>The database's cores, for the useful-parallelism rule; null skips it.</summary>
    [Range(1, 100_000)]
    public int? DatabaseCores { get; set; }

    /// <summary>Connection lifetimes shorter than this are reported as churn.</summary>
    public TimeSpan MinimumConnectionLifetime { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The pooler between the application and the server (PgBouncer), when there is one; null runs no pooler rules.</summary>
    public PoolerSettings? Pooler { get; set; }

    /// <summary>Session state found in the application's source (<see cref="SessionStateScanner"/>); null when the source was not scanned.</summary>
    public IReadOnlyList<SessionStateUse>? SessionStateUses { get; set; }
}
