using Lifeguard.Diagnosis;
using Lifeguard.Hosting;
using Lifeguard.Postgres.Diagnosis;
using Lifeguard.Postgres.Fleet;
using Lifeguard.Postgres.Registration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Lifeguard's PostgreSQL side once: the one server reader, then its optional parts.</summary>
public static class LifeguardPostgresServiceCollectionExtensions
{
    /// <summary>
    /// Reads the PostgreSQL server behind the guarded pool with one reader: one dedicated connection (never from the
    /// application's pool, never pooled) for activity, locks, budget and statements, which the diagnoser
    /// (AddLifeguardDiagnosis, part of AddLifeguard) samples, and the SQLSTATE error classifier the guard uses. The
    /// connection strings are derived once, from the primary guarded pool unless <see cref="LifeguardPostgresOptions"/>
    /// names them; options are validated when the host starts. Add server metrics and query review on the returned
    /// builder. Calling it again only adds <paramref name="configure"/>.
    /// </summary>
    /// <example><code>
    /// services.AddLifeguard();
    /// services.AddLifeguardPostgres(o => o.ReaderConnectionString = monitorLogin).AddServerMetrics().AddQueryReview();
    /// </code></example>
    public static LifeguardPostgresBuilder AddLifeguardPostgres(this IServiceCollection services, Action<LifeguardPostgresOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<LifeguardPostgresOptions>();
        var first = !services.Any(d => d.ServiceType == typeof(PostgresConnectionStrings));
        // Lifeguard:Fleet from the app's configuration first, so code given here has the last word.
        if (first) options.Configure<IServiceProvider>((o, sp) => FleetConfiguration.Apply(sp.GetService<Microsoft.Extensions.Configuration.IConfiguration>(), o.Fleet));
        if (configure is not null) options.Configure(configure);
        var builder = new LifeguardPostgresBuilder(services);
        if (!first) return builder;

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LifeguardPostgresOptions>, LifeguardPostgresOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        // The guard classifies Npgsql's errors by type and SQLSTATE (picked up by AddGuardedDataSource's guards).
        services.TryAddSingleton<IConnectionErrorClassifier>(NpgsqlErrorClassifier.Instance);
        services.AddSingleton(sp => PostgresConnectionStrings.Resolve(
            sp.GetRequiredService<IOptions<LifeguardPostgresOptions>>().Value, sp.GetService<LifeguardPools>()));
        services.AddSingleton(sp =>
        {
            var strings = sp.GetRequiredService<PostgresConnectionStrings>();
            var reader = sp.GetRequiredService<IOptions<LifeguardPostgresOptions>>().Value.Reader;
            // The application's sessions are told apart by its own Application Name, not the reader login's.
            reader.ApplicationNameOfApp ??= strings.ApplicationName;
            var fleet = sp.GetRequiredService<IOptions<LifeguardPostgresOptions>>().Value.Fleet;
            return new PostgresServerSignalSource(strings.Reader, reader, sp.GetRequiredService<TimeProvider>(),
                sp.GetService<ILoggerFactory>()?.CreateLogger<PostgresServerSignalSource>())
            {
                Fleet = fleet.Enabled ? sp.GetRequiredService<FleetReadings>() : null,
                FleetMaxAge = fleet.Expiry,
                // Configured to read through the pooler it also reads: say so rather than show its server connections as the server's slots.
                ThroughPooler = strings.ReaderThroughPooler(sp.GetRequiredService<IOptions<LifeguardPostgresOptions>>().Value.PoolerConnectionString),
            };
        });
        // The fleet registry (docs/fleet.md): this instance heartbeats into lifeguard.fleet_instances on a connection of
        // its own, with the application's login (the reader's may not write).
        services.TryAddSingleton<FleetReadings>();
        services.TryAddSingleton(sp => new FleetRegistry(sp.GetRequiredService<PostgresConnectionStrings>().Application,
            sp.GetRequiredService<Lifeguard.Fleet.LifeguardIdentity>(), sp.GetRequiredService<IOptions<LifeguardPostgresOptions>>().Value.Fleet.Expiry));
        services.TryAddSingleton(sp =>
        {
            var fleet = sp.GetRequiredService<IOptions<LifeguardPostgresOptions>>().Value.Fleet;
            var pools = sp.GetRequiredService<LifeguardPools>();
            var loggers = sp.GetRequiredService<ILoggerFactory>();
            // The governor (opt-in, docs/fleet.md#governor) caps the primary pool's leases to its share of the fleet's budget.
            FleetGovernorCycle? governor = null;
            if (fleet.Enabled && fleet.Governor)
            {
                governor = new FleetGovernorCycle(new GuardedPool(pools.Primary.Guard), fleet.GovernorReserve, loggers.CreateLogger<FleetGovernorCycle>());
                if (sp.GetService<System.Diagnostics.Metrics.IMeterFactory>() is { } meters)
                    FleetGovernorMetrics.Register(meters, pools.Primary.Guard.PoolName, governor);
            }
            return new LifeguardFleetService(sp.GetRequiredService<FleetRegistry>(), pools,
                sp.GetService<Lifeguard.Hosting.Diagnosis.LifeguardDiagnosisService>(), sp.GetRequiredService<FleetReadings>(),
                fleet, sp.GetRequiredService<TimeProvider>(), loggers.CreateLogger<LifeguardFleetService>(), governor);
        });
        services.AddSingleton<Microsoft.Extensions.Hosting.IHostedService>(sp => sp.GetRequiredService<LifeguardFleetService>());
        services.TryAddSingleton<IServerSignalSource>(sp => sp.GetRequiredService<PostgresServerSignalSource>());
        return builder;
    }
}
