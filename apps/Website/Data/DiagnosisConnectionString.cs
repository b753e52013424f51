using Lifeguard.Kit;
using Npgsql;

namespace Website.Data;

/// <summary>
/// <c>ConnectionStrings:Diagnosis</c>: the login the live diagnosis and the server metrics read the server with. Optional
/// (the main connection string otherwise); run.sh gives the diagnoser role (pg_monitor only). It must name the site's
/// database: the diagnosis judges the sessions and statements of that database. Behind a pooler,
/// <c>Lifeguard:Diagnosis:Postgres:ConnectionString</c> gives the server's own address (it wins over ConnectionStrings:Diagnosis),
/// and <c>Lifeguard:Diagnosis:Pooler:ConnectionString</c> the pooler's admin console.
/// </summary>
public static class DiagnosisConnectionString
{
    /// <summary>The configuration key.</summary>
    public const string Key = "ConnectionStrings:Diagnosis";

    /// <summary>The key of the server's own address for the diagnoser, when the site connects through a pooler.</summary>
    public const string PostgresKey = "Lifeguard:Diagnosis:Postgres:ConnectionString";

    /// <summary>The key of the pooler's admin console (PgBouncer), read by the diagnoser when set.</summary>
    public const string PoolerKey = "Lifeguard:Diagnosis:Pooler:ConnectionString";

    /// <summary>The diagnoser's connection string, or <paramref name="main"/> when none is configured.</summary>
    public static string Resolve(IConfiguration configuration, string main)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var key = !string.IsNullOrWhiteSpace(configuration[PostgresKey]) ? PostgresKey : Key;
        if (string.IsNullOrWhiteSpace(configuration[key])) return main;
        var reader = new NpgsqlConnectionStringBuilder(ConnectionStringRules.Resolve(configuration, key, new ConnectionDefaults(3, 5, null, "lifeguard-diagnoser")));
        var site = new NpgsqlConnectionStringBuilder(main);
        if (!string.Equals(reader.Database ?? reader.Username, site.Database ?? site.Username, StringComparison.Ordinal))
        {
            throw new StartupConfigurationException($"{key} names database '{reader.Database}', the site's is '{site.Database}': the diagnosis reads the site's database.");
        }

        return reader.ConnectionString;
    }

    /// <summary>The pooler's admin console string (database pgbouncer unless it names one); null when the key is unset.</summary>
    public static string? ResolvePooler(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (string.IsNullOrWhiteSpace(configuration[PoolerKey])) return null;
        var console = new NpgsqlConnectionStringBuilder(ConnectionStringRules.Resolve(configuration, PoolerKey, new ConnectionDefaults(2, 2, null, "lifeguard-pooler-reader")));
        if (string.IsNullOrEmpty(console.Database)) console.Database = "pgbouncer";
        return console.ConnectionString;
    }
}
