using Lifeguard.Kit;
using Npgsql;

namespace Incidents.Data;

/// <summary>Reads and validates <c>ConnectionStrings:Incidents</c>, with fail-fast timeouts unless it sets its own.</summary>
public static class IncidentsConnectionString
{
    /// <summary>The configuration key.</summary>
    public const string Key = "ConnectionStrings:Incidents";

    /// <summary>Maximum Pool Size when the connection string sets none.</summary>
    public const int DefaultMaxPoolSize = 16;

    /// <summary>The validated connection string, or <see cref="StartupConfigurationException"/>.</summary>
    public static string Resolve(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var raw = configuration[Key];
        if (string.IsNullOrWhiteSpace(raw))
        {
            throw new StartupConfigurationException($"{Key} is missing: set it in appsettings.json or ConnectionStrings__Incidents.");
        }

        NpgsqlConnectionStringBuilder b;
        try
        {
            b = new NpgsqlConnectionStringBuilder(raw);
        }
        catch (ArgumentException ex)
        {
            throw new StartupConfigurationException($"{Key} is invalid: {ex.Message.Split('\n')[0]}");
        }

        var lower = raw.ToLowerInvariant();
        if (!lower.Contains("timeout=", StringComparison.Ordinal))
        {
            b.Timeout = 5;
        }

        // Intake holds a connection while it waits for its group's lock: a bounded pool keeps a burst of webhooks (or several
        // replicas) inside the server's max_connections, queueing in the pool instead of failing with 53300.
        if (!lower.Contains("maximum pool size", StringComparison.Ordinal) && !lower.Contains("max pool size", StringComparison.Ordinal) && !lower.Contains("maxpoolsize", StringComparison.Ordinal))
        {
            b.MaxPoolSize = DefaultMaxPoolSize;
        }

        if (!lower.Contains("application name", StringComparison.Ordinal) && !lower.Contains("applicationname", StringComparison.Ordinal))
        {
            b.ApplicationName = "Lifeguard.Incidents";
        }

        return b.ConnectionString;
    }
}
