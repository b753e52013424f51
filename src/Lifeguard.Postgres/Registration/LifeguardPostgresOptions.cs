using Lifeguard.Postgres.Diagnosis;

namespace Lifeguard.Postgres.Registration;

/// <summary>Which PostgreSQL Lifeguard reads and how: set once, in AddLifeguardPostgres.</summary>
public sealed class LifeguardPostgresOptions
{
    /// <summary>The application's connection string: the database judged and reviewed, and its Application Name, which
    /// tells the application's sessions apart. Null (the default) takes it from the primary guarded pool's
    /// NpgsqlDataSource, password included.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>A login of its own for the server reader (e.g. a role with pg_monitor only, so the reader never runs as
    /// the role that owns the application's tables). Null: the application's. It must name the same database. Only its
    /// host, port, database and credentials are used: the reader's one connection is never pooled.</summary>
    public string? ReaderConnectionString { get; set; }

    /// <summary>The admin console of the pooler (PgBouncer) the application connects through, e.g.
    /// <c>Host=pgbouncer;Port=6432;Username=stats;Password=…;Database=pgbouncer</c> (an admin_users or stats_users entry).
    /// Null (the default): no pooler is read, and nothing probes for one. Read when <see cref="LifeguardPostgresBuilder.AddPooler"/> is called.</summary>
    public string? PoolerConnectionString { get; set; }

    /// <summary>The server reader's own settings (its application_name, timeouts, back-off, the server's cores, the
    /// statement baseline), validated with these options.</summary>
    public PostgresDiagnosisOptions Reader { get; } = new();

    /// <summary>The fleet registry (configuration <c>Lifeguard:Fleet</c>, read from the app's configuration when it has
    /// one), validated with these options.</summary>
    public Fleet.LifeguardFleetOptions Fleet { get; } = new();
}
