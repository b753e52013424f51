using System.Data.Common;
using Lifeguard.Kit;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Website.Data;

/// <summary>Reads and validates <c>ConnectionStrings:Main</c> and applies the site's fail-fast defaults.</summary>
public static class MainConnectionString
{
    /// <summary>The configuration key every error message names.</summary>
    public const string Key = "ConnectionStrings:Main";

    // A page must fail fast when PostgreSQL is down or stuck rather than hang a worker:
    // connect/pool wait 3 s, statement 5 s, unless the connection string says otherwise.
    internal const int DefaultTimeoutSeconds = 3;
    internal const int DefaultCommandTimeoutSeconds = 5;

    /// <summary>Returns the validated connection string with defaults applied, or throws <see cref="StartupConfigurationException"/>.</summary>
    public static string Resolve(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var raw = configuration[Key];
        if (string.IsNullOrWhiteSpace(raw))
        {
            throw new StartupConfigurationException(
                $"{Key} is missing: set it in appsettings.json or the ConnectionStrings__Main environment variable.");
        }

        NpgsqlConnectionStringBuilder builder;
        DbConnectionStringBuilder given;
        try
        {
            given = new DbConnectionStringBuilder { ConnectionString = raw };
            builder = new NpgsqlConnectionStringBuilder(raw);
        }
        catch (ArgumentException ex)
        {
            throw new StartupConfigurationException($"{Key} is invalid: {FirstLine(ex.Message)}");
        }

        if (string.IsNullOrWhiteSpace(builder.Host))
        {
            throw new StartupConfigurationException($"{Key} is invalid: it names no Host.");
        }

        if (!HasAny(given, "Timeout"))
        {
            builder.Timeout = DefaultTimeoutSeconds;
        }

        if (!HasAny(given, "Command Timeout", "CommandTimeout"))
        {
            builder.CommandTimeout = DefaultCommandTimeoutSeconds;
        }

        if (!HasAny(given, "Application Name", "ApplicationName"))
        {
            builder.ApplicationName = "Lifeguard.Website";
        }

        return builder.ConnectionString;
    }

    private static bool HasAny(DbConnectionStringBuilder given, params string[] keys) =>
        keys.Any(k => given.ContainsKey(k));

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();
}
