using Lifeguard.Postgres.QueryReview;
using Lifeguard.Postgres.ServerMetrics;
using Lifeguard.Statements;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Lifeguard.Postgres.Registration;

/// <summary>Adds the optional parts of Lifeguard.Postgres on the one registration AddLifeguardPostgres made; each part
/// reads through it (the server reader's sample, or its connection strings).</summary>
public sealed class LifeguardPostgresBuilder
{
    internal LifeguardPostgresBuilder(IServiceCollection services) => Services = services;

    /// <summary>The app's services.</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// Exports lifeguard.postgres.max_connections, .reserved_connections and .connections{state} (meter "Lifeguard") from
    /// the server reader's latest sample, the one the diagnoser judged; when nothing else sampled within
    /// <see cref="PostgresServerMetricsOptions.PollInterval"/> (no diagnoser), it samples itself. The host provides
    /// IMeterFactory (ASP.NET Core and the Generic Host register it).
    /// </summary>
    public LifeguardPostgresBuilder AddServerMetrics(Action<PostgresServerMetricsOptions>? configure = null)
    {
        var options = Services.AddOptions<PostgresServerMetricsOptions>();
        if (configure is not null) options.Configure(configure);
        if (Services.Any(d => d.ServiceType == typeof(PostgresServerMetrics))) return this;
        options.ValidateDataAnnotations().ValidateOnStart();
        Services.AddSingleton(sp => new PostgresServerMetrics(
            sp.GetRequiredService<Diagnosis.PostgresServerSignalSource>(),
            sp.GetRequiredService<IOptions<PostgresServerMetricsOptions>>(),
            sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILoggerFactory>()?.CreateLogger<PostgresServerMetrics>()));
        Services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<PostgresServerMetrics>());
        return this;
    }

    /// <summary>
    /// Adds <see cref="ISlowStatementSource"/> over the application's database (the role needs pg_monitor or
    /// pg_read_all_stats to see every statement); MapLifeguard serves it at /lifeguard/statements. It reviews on demand on
    /// a short-lived connection of its own, with the application's connection string (EXPLAIN needs its tables).
    /// Defaults: the top 10 statements with at least 10 calls, no mean-time floor, plans without ANALYZE.
    /// </summary>
    public LifeguardPostgresBuilder AddQueryReview(Action<QueryReviewOptions>? configure = null)
    {
        var options = new QueryReviewOptions { Top = 10, MinCalls = 10, MinMeanMs = 0 };
        configure?.Invoke(options);
        Services.TryAddSingleton<ISlowStatementSource>(sp => new PostgresSlowStatementSource(
            sp.GetRequiredService<PostgresConnectionStrings>().Application, options, sp.GetRequiredService<TimeProvider>()));
        return this;
    }

    /// <summary>
    /// Reads the pooler the application connects through (PgBouncer's admin console at
    /// <see cref="LifeguardPostgresOptions.PoolerConnectionString"/>) once a diagnosis sample, for the application's
    /// database/user pair: the diagnoser then names the pooler's queue (pooler_saturated) instead of the application's
    /// pool, and its figures are exported under pgbouncer_exporter's names (meter "Lifeguard"). Call it only when a pooler
    /// is configured: nothing else probes for one.
    /// </summary>
    public LifeguardPostgresBuilder AddPooler()
    {
        if (Services.Any(d => d.ServiceType == typeof(Pooler.PgBouncerSignalSource))) return this;
        Services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<LifeguardPostgresOptions>>().Value;
            var admin = options.PoolerConnectionString;
            if (string.IsNullOrWhiteSpace(admin))
                throw new InvalidOperationException("AddPooler() reads the pooler's admin console, but LifeguardPostgresOptions.PoolerConnectionString is not set.");
            var strings = sp.GetRequiredService<PostgresConnectionStrings>();
            var app = new Npgsql.NpgsqlConnectionStringBuilder(strings.Application);
            // The server reader's string is the direct one unless it points at the pooler too: then no statement lookups.
            var direct = strings.ReaderThroughPooler(admin) ? null : strings.Reader;
            return new Pooler.PgBouncerSignalSource(admin, app.Database ?? app.Username ?? "postgres", app.Username ?? Environment.UserName, direct,
                sp.GetRequiredService<TimeProvider>(), sp.GetService<ILoggerFactory>()?.CreateLogger<Pooler.PgBouncerSignalSource>(),
                sp.GetService<System.Diagnostics.Metrics.IMeterFactory>());
        });
        Services.TryAddSingleton<Lifeguard.Diagnosis.IPoolerSignalSource>(sp => sp.GetRequiredService<Pooler.PgBouncerSignalSource>());
        return this;
    }
}
