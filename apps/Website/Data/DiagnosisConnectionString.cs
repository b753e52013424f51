using Lifeguard.Kit;
using Npgsql;

namespace Website.Data;

/// <summary>
/// <c>ConnectionStrings:Diagnosis</c>: the login the live diagnosis and the server metrics read the server with. Optional
/// (the main connection string otherwise); run.sh gives the diagnoser role (pg_monitor only). It must name the site's
/// database: the diagnosis judges the sessions and statements of that database.
/// </summary>
public static class DiagnosisConnectionString
{
    /// <summary>The configuration key.</summary>
    public const string Key = "ConnectionStrings:Diagnosis";

    /// <summary>The diagnoser's connection string, or <paramref name="main"/> when none is configured.</summary>
    public static string Resolve(IConfiguration configuration, string main)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (string.IsNullOrWhiteSpace(configuration[Key])) return main;
        var reader = new NpgsqlConnectionStringBuilder(ConnectionStringRules.Resolve(configuration, Key, new ConnectionDefaults(3, 5, null, "lifeguard-diagnoser")));
        var site = new NpgsqlConnectionStringBuilder(main);
        if (!string.Equals(reader.Database ?? reader.Username, site.Database ?? site.Username, StringComparison.Ordinal))
        {
            throw new StartupConfigurationException($"{Key} names database '{reader.Database}', the site's is '{site.Database}': the diagnosis reads the site's database.");
        }

        return reader.ConnectionString;
    }
}
