using System.Data.Common;
using Lifeguard.Configuration;
using Npgsql;

namespace Lifeguard.Postgres;

/// <summary>Reads a PostgreSQL connection string with Npgsql's own parser into a provider-neutral <see cref="PoolConfiguration"/>.</summary>
public static class NpgsqlPoolConfigurationReader
{
    // Keywords older ADO.NET providers (and older Npgsql) accepted that Npgsql 10 rejects, with their current names.
    private static readonly Dictionary<string, string> Renamed = new(StringComparer.OrdinalIgnoreCase)
    {
        ["max pool size"] = "Maximum Pool Size",
        ["min pool size"] = "Minimum Pool Size",
        ["data source"] = "Host",
        ["initial catalog"] = "Database",
        ["user"] = "Username",
        ["uid"] = "Username",
        ["pwd"] = "Password",
    };

    /// <summary>Parses <paramref name="connectionString"/>; a rejection becomes <see cref="PoolConfiguration.ProviderError"/>, never an exception.</summary>
    public static PoolConfiguration Read(string name, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(connectionString);
        var defaults = new NpgsqlConnectionStringBuilder();
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            return new PoolConfiguration
            {
                Name = name,
                MaximumPoolSize = defaults.MaxPoolSize,
                MinimumPoolSize = defaults.MinPoolSize,
                AcquireTimeout = TimeSpan.FromSeconds(defaults.Timeout),
                ConnectionLifetime = TimeSpan.FromSeconds(defaults.ConnectionLifetime),
                ProviderError = "Npgsql rejects the connection string: " + e.Message,
                ProviderFix = FixFor(e, connectionString),
            };
        }

        var keys = KeysOf(connectionString);
        return new PoolConfiguration
        {
            Name = name,
            Server = ServerOf(builder),
            Database = builder.Database,
            Pooling = builder.Pooling,
            MaximumPoolSize = builder.MaxPoolSize,
            MaximumPoolSizeSet = keys.Overlaps(["maximum pool size", "maxpoolsize", "max pool size"]),
            MinimumPoolSize = builder.MinPoolSize,
            AcquireTimeout = TimeSpan.FromSeconds(builder.Timeout),
            AcquireTimeoutSet = keys.Overlaps(["timeout"]),
            ConnectionLifetime = TimeSpan.FromSeconds(builder.ConnectionLifetime),
            NoResetOnClose = builder.NoResetOnClose,
            MaxAutoPrepare = builder.MaxAutoPrepare,
        };
    }

    /// <summary>The server key "host:port" used to group pools that share one max_connections.</summary>
    public static string ServerOf(NpgsqlConnectionStringBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var host = (builder.Host ?? "localhost").Trim().ToLowerInvariant();
        return host.Contains(',', StringComparison.Ordinal) ? host : host + ":" + builder.Port;
    }

    private static HashSet<string> KeysOf(string connectionString)
    {
        // DbConnectionStringBuilder only splits keys and values; it does not apply Npgsql's synonyms,
        // so it tells which keywords the user actually wrote.
        var raw = new DbConnectionStringBuilder { ConnectionString = connectionString };
        return raw.Keys.Cast<string>().Select(k => k.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant())
            .Concat(raw.Keys.Cast<string>().Select(k => k.ToLowerInvariant()))
            .ToHashSet(StringComparer.Ordinal);
    }

    private static string FixFor(ArgumentException e, string connectionString)
    {
        var keyword = e.ParamName;
        if (keyword is not null && Renamed.TryGetValue(keyword, out var current))
        {
            return $"Rename '{keyword}' to '{current}' (the keyword Npgsql accepts).";
        }
        if (keyword is not null)
        {
            var raw = new DbConnectionStringBuilder();
            try { raw.ConnectionString = connectionString; } catch (ArgumentException) { return "Fix the connection string's syntax (Key=Value pairs separated by ';')."; }
            var known = new NpgsqlConnectionStringBuilder();
            return known.ContainsKey(keyword)
                ? $"Give '{keyword}' a value Npgsql accepts (see the Npgsql connection string parameters)."
                : $"Remove '{keyword}': Npgsql has no such keyword.";
        }
        return "Fix the connection string's syntax (Key=Value pairs separated by ';').";
    }
}
