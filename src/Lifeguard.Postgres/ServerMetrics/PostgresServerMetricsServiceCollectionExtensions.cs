using System.Diagnostics.Metrics;
using Lifeguard.Diagnosis;
using Lifeguard.Postgres.Diagnosis;
using Lifeguard.Postgres.ServerMetrics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the PostgreSQL server-budget exporter.</summary>
public static class PostgresServerMetricsServiceCollectionExtensions
{
    /// <summary>
    /// Exports lifeguard.postgres.max_connections, .reserved_connections and .connections{state} for the server behind
    /// <paramref name="connectionString"/>, polled in the background (one connection of its own). The host provides
    /// IMeterFactory (ASP.NET Core and the Generic Host register it). Also registers the SQLSTATE error classifier the guard
    /// uses, as AddLifeguardPostgresDiagnosis does.
    /// </summary>
    public static IServiceCollection AddLifeguardPostgresServerMetrics(this IServiceCollection services, string connectionString, Action<PostgresServerMetricsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var options = services.AddOptions<PostgresServerMetricsOptions>().ValidateDataAnnotations().ValidateOnStart();
        if (configure is not null) options.Configure(configure);
        services.TryAddSingleton(TimeProvider.System);
        // Whichever of Lifeguard.Postgres's parts an app registers, the guard classifies Npgsql's errors by type and SQLSTATE.
        services.TryAddSingleton<IConnectionErrorClassifier>(NpgsqlErrorClassifier.Instance);
        services.AddSingleton(sp => new PostgresServerMetrics(
            connectionString,
            sp.GetRequiredService<IOptions<PostgresServerMetricsOptions>>(),
            sp.GetRequiredService<IMeterFactory>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<PostgresServerMetrics>>()));
        services.AddHostedService(sp => sp.GetRequiredService<PostgresServerMetrics>());
        return services;
    }
}
