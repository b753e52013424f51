using System.Data.Common;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Lifeguard.Kit;

/// <summary>What an app's pool gets when its connection string does not say otherwise.</summary>
/// <param name="TimeoutSeconds">Connect and pool-wait timeout.</param>
/// <param name="CommandTimeoutSeconds">Statement timeout, or null to keep Npgsql's.</param>
/// <param name="MaxPoolSize">Maximum Pool Size, or null to keep Npgsql's.</param>
/// <param name="ApplicationName">The name the server shows in pg_stat_activity.</param>
public sealed record ConnectionDefaults(int TimeoutSeconds, int? CommandTimeoutSeconds, int? MaxPoolSize, string ApplicationName);

/// <summary>
/// Reading an app's connection string, one way for both apps: missing or unparsable is a one-line startup error, and
/// a default applies only when the string sets no keyword for it (keywords compared as keywords: <c>Command Timeout</c>
/// is not <c>Timeout</c>).
/// </summary>
public static class ConnectionStringRules
{
    /// <summary>The validated connection string named by <paramref name="key"/> with <paramref name="defaults"/> applied, or <see cref="StartupConfigurationException"/>.</summary>
    public static string Resolve(IConfiguration configuration, string key, ConnectionDefaults defaults)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(defaults);
        var raw = configuration[key];
        if (string.IsNullOrWhiteSpace(raw))
        {
            throw new StartupConfigurationException(
                $"{key} is missing: set it in appsettings.json or the {key.Replace(":", "__", StringComparison.Ordinal)} environment variable.");
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
            throw new StartupConfigurationException($"{key} is invalid: {ex.Message.Split('\n', 2)[0].Trim()}");
        }

        if (string.IsNullOrWhiteSpace(builder.Host)) throw new StartupConfigurationException($"{key} is invalid: it names no Host.");
        if (!Sets(given, "Timeout")) builder.Timeout = defaults.TimeoutSeconds;
        if (defaults.CommandTimeoutSeconds is { } command && !Sets(given, "Command Timeout", "CommandTimeout")) builder.CommandTimeout = command;
        if (defaults.MaxPoolSize is { } max && !Sets(given, "Maximum Pool Size", "Max Pool Size", "MaxPoolSize")) builder.MaxPoolSize = max;
        if (!Sets(given, "Application Name", "ApplicationName")) builder.ApplicationName = defaults.ApplicationName;
        return builder.ConnectionString;
    }

    /// <summary>Whether the string sets any of the keywords (case-insensitive, as ADO.NET parses them).</summary>
    public static bool Sets(DbConnectionStringBuilder given, params string[] keywords)
    {
        ArgumentNullException.ThrowIfNull(given);
        return keywords.Any(given.ContainsKey);
    }
}
