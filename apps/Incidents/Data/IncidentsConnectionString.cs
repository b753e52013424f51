using Lifeguard.Kit;

namespace Incidents.Data;

/// <summary>Reads and validates <c>ConnectionStrings:Incidents</c>, with fail-fast timeouts unless it sets its own.</summary>
public static class IncidentsConnectionString
{
    /// <summary>The configuration key.</summary>
    public const string Key = "ConnectionStrings:Incidents";

    /// <summary>Maximum Pool Size when the connection string sets none.</summary>
    public const int DefaultMaxPoolSize = 16;

    /// <summary>The validated connection string, or <see cref="StartupConfigurationException"/>.</summary>
    /// <remarks>Intake holds a connection while it waits for its group's lock: a bounded pool keeps a burst of webhooks (or
    /// several replicas) inside the server's max_connections, queueing in the pool instead of failing with 53300.</remarks>
    public static string Resolve(IConfiguration configuration) =>
        ConnectionStringRules.Resolve(configuration, Key, new ConnectionDefaults(5, null, DefaultMaxPoolSize, "Lifeguard.Incidents"));
}
