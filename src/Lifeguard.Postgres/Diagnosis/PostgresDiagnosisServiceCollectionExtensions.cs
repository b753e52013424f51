using Lifeguard.Diagnosis;
using Lifeguard.Postgres.Diagnosis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers PostgreSQL's side of Lifeguard's diagnosis.</summary>
public static class PostgresDiagnosisServiceCollectionExtensions
{
    /// <summary>
    /// Adds the server signal source (one dedicated connection to the server behind <paramref name="connectionString"/>,
    /// never from the application's pool) and the SQLSTATE error classifier the guard uses; AddLifeguard's diagnoser
    /// picks both up. The application's own sessions are told apart by the Application Name in the connection string.
    /// </summary>
    public static IServiceCollection AddLifeguardPostgresDiagnosis(this IServiceCollection services, string connectionString, Action<PostgresDiagnosisOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var options = services.AddOptions<PostgresDiagnosisOptions>().ValidateDataAnnotations().ValidateOnStart();
        if (configure is not null) options.Configure(configure);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IConnectionErrorClassifier>(NpgsqlErrorClassifier.Instance);
        services.TryAddSingleton<IServerSignalSource>(sp => new PostgresServerSignalSource(
            connectionString,
            sp.GetRequiredService<IOptions<PostgresDiagnosisOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILoggerFactory>()?.CreateLogger<PostgresServerSignalSource>()));
        return services;
    }
}
