using System.Globalization;
using System.Text.RegularExpressions;
using Lifeguard.Configuration;
using Npgsql;

namespace Lifeguard.Postgres.Pooler;

/// <summary>Reads PgBouncer's settings from its admin console (SHOW CONFIG, SHOW VERSION, SHOW DATABASES) for the pooler rules and the sizing advisor.</summary>
public static partial class PgBouncerSettingsQuery
{
    /// <summary>Connects to the admin console (database "pgbouncer" unless the string names one) as an admin or stats user and reads the settings.</summary>
    /// <remarks>
    /// The console speaks only the simple query protocol and Npgsql only the extended one (npgsql#3294), so the three
    /// SHOW commands go over Lifeguard's own small console client (no psql needed).
    /// </remarks>
    /// <exception cref="InvalidOperationException">The console cannot be reached or refuses the user (its message).</exception>
    public static async Task<PoolerSettings> QueryAsync(string adminConnectionString, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(adminConnectionString);
        var builder = new NpgsqlConnectionStringBuilder(adminConnectionString);
        if (string.IsNullOrEmpty(builder.Database)) builder.Database = PgBouncerConsole.ConsoleDatabase;
        await using var console = await PgBouncerConsole.OpenAsync(builder.ConnectionString, cancellationToken).ConfigureAwait(false);
        return await QueryAsync(console, $"admin console {builder.Host}:{builder.Port}", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The settings read on an open console (the pooler reader reads them on its own connection).</summary>
    internal static async Task<PoolerSettings> QueryAsync(PgBouncerConsole console, string source, CancellationToken cancellationToken)
    {

        var config = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var row in (await console.QueryAsync("SHOW CONFIG", cancellationToken).ConfigureAwait(false)).Records())
        {
            if (row.TryGetValue("key", out var key) && key is not null) config[key] = row.GetValueOrDefault("value") ?? "";
        }
        Version? version = null;
        foreach (var row in (await console.QueryAsync("SHOW VERSION", cancellationToken).ConfigureAwait(false)).Records())
        {
            var text = row.Values.FirstOrDefault(v => v is not null) ?? "";
            if (VersionPattern().Match(text) is { Success: true } m) version = Version.Parse(m.Value);
        }
        var pairs = new List<int>();
        foreach (var row in (await console.QueryAsync("SHOW DATABASES", cancellationToken).ConfigureAwait(false)).Records())
        {
            if (row.GetValueOrDefault("name") is "pgbouncer" or null) continue; // the admin console itself
            if (Int(row.GetValueOrDefault("pool_size")) is { } size) pairs.Add(size);
        }

        var maxDb = Int(config.GetValueOrDefault("max_db_connections"));
        return new PoolerSettings
        {
            Kind = "pgbouncer",
            Source = source,
            Mode = config.TryGetValue("pool_mode", out var mode) ? PgBouncerIni.ParseMode(mode, "SHOW CONFIG") : PoolerMode.Session,
            Version = version,
            ListenPort = Int(config.GetValueOrDefault("listen_port")),
            MaxClientConnections = Int(config.GetValueOrDefault("max_client_conn")) ?? PoolerSettings.DefaultMaxClientConnections,
            DefaultPoolSize = Int(config.GetValueOrDefault("default_pool_size")) ?? PoolerSettings.DefaultDefaultPoolSize,
            ReservePoolSize = Int(config.GetValueOrDefault("reserve_pool_size")) ?? 0,
            MaxDbConnections = maxDb is null or 0 ? null : maxDb,
            // Before 1.21 the setting does not exist: SHOW CONFIG omits it, and the version says why.
            MaxPreparedStatements = Int(config.GetValueOrDefault("max_prepared_statements")),
            PairPoolSizes = pairs,
        };
    }

    private static int? Int(string? value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;

    [GeneratedRegex(@"\d+\.\d+(\.\d+)?")]
    private static partial Regex VersionPattern();
}
