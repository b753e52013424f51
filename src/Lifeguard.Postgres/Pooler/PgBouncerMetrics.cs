using System.Diagnostics.Metrics;
using Lifeguard.Diagnosis;

namespace Lifeguard.Postgres.Pooler;

/// <summary>
/// The pooler's figures for the application's pair from the reader's latest sample (meter "Lifeguard"), named as
/// pgbouncer_exporter names them, so dashboards and alerts written for it read these too: waiting clients, server
/// connections by state, the oldest wait, the pool size, the database's server connections and the client limit.
/// Nothing is reported while the console cannot be read, except pgbouncer_up 0.
/// </summary>
internal static class PgBouncerMetrics
{
    public const string MeterName = "Lifeguard";

    public static void Register(IMeterFactory meterFactory, PgBouncerSignalSource source)
    {
        var meter = meterFactory.Create(MeterName);
        var (database, user) = source.Pair;
        KeyValuePair<string, object?>[] pair = [new("database", database), new("user", user)];
        KeyValuePair<string, object?>[] db = [new("database", database)];

        IEnumerable<Measurement<double>> Pair(Func<PoolerSignals, double> value) =>
            source.Latest is { Reachable: true } q ? [new Measurement<double>(value(q), pair)] : [];
        IEnumerable<Measurement<double>> Db(Func<PoolerSignals, double> value) =>
            source.Latest is { Reachable: true } q ? [new Measurement<double>(value(q), db)] : [];

        meter.CreateObservableGauge("pgbouncer.up", () => source.Latest is null ? [] : new[] { new Measurement<int>(source.Latest.Reachable ? 1 : 0, db) },
            description: "1 when the pooler's admin console answered the latest sample.");
        meter.CreateObservableGauge("pgbouncer.pools.client_active_connections", () => Pair(q => q.ClientsActive), description: "Clients linked to a server connection or idle (cl_active).");
        meter.CreateObservableGauge("pgbouncer.pools.client_waiting_connections", () => Pair(q => q.ClientsWaiting), description: "Clients waiting inside the pooler for a server connection (cl_waiting).");
        meter.CreateObservableGauge("pgbouncer.pools.server_active_connections", () => Pair(q => q.ServersActive), description: "Server connections linked to a client (sv_active).");
        meter.CreateObservableGauge("pgbouncer.pools.server_idle_connections", () => Pair(q => q.ServersIdle), description: "Server connections idle and ready (sv_idle).");
        meter.CreateObservableGauge("pgbouncer.pools.server_used_connections", () => Pair(q => q.ServersUsed), description: "Server connections idle, to be checked before reuse (sv_used).");
        meter.CreateObservableGauge("pgbouncer.pools.server_testing_connections", () => Pair(q => q.ServersTested), description: "Server connections being tested or reset (sv_tested).");
        meter.CreateObservableGauge("pgbouncer.pools.server_login_connections", () => Pair(q => q.ServersLogin), description: "Server connections logging in (sv_login).");
        meter.CreateObservableGauge("pgbouncer.pools.client_maxwait_seconds", () => Pair(q => q.MaxWaitSeconds), description: "How long the oldest waiting client has waited (maxwait).");
        meter.CreateObservableGauge("pgbouncer.databases.pool_size", () => Db(q => q.PoolSize), description: "Server connections the pooler keeps per user of the database.");
        meter.CreateObservableGauge("pgbouncer.databases.current_connections", () => Db(q => q.DatabaseServerConnections), description: "Server connections of the database, every user.");
        meter.CreateObservableGauge("pgbouncer.databases.max_connections", () => Db(q => q.MaxDbConnections ?? 0), description: "max_db_connections of the database (0: unlimited).");
        meter.CreateObservableGauge("pgbouncer.used_clients", () => Db(q => q.ClientConnections), description: "Client connections to the pooler, every pair (SHOW LISTS used_clients).");
        meter.CreateObservableGauge("pgbouncer.config.max_client_connections", () => Db(q => q.MaxClientConnections), description: "max_client_conn: beyond it the pooler refuses clients.");
        meter.CreateObservableCounter("pgbouncer.stats.client_wait_seconds", () => Db(q => q.TotalWaitSeconds), description: "Time the database's clients waited for a server connection, since the pooler started (total_wait_time).");
    }
}
