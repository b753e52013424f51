using System.ComponentModel;
using System.Diagnostics;
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
    /// SHOW commands run through psql (postgresql-client), with the password in its environment, never on its command line.
    /// </remarks>
    /// <exception cref="InvalidOperationException">psql is missing, or the console cannot be reached or refuses the user (psql's message).</exception>
    public static async Task<PoolerSettings> QueryAsync(string adminConnectionString, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(adminConnectionString);
        var builder = new NpgsqlConnectionStringBuilder(adminConnectionString);
        if (string.IsNullOrEmpty(builder.Database)) builder.Database = "pgbouncer";
        var connection = builder;

        var config = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var row in await RowsAsync(connection, "SHOW CONFIG", cancellationToken).ConfigureAwait(false))
        {
            if (row.TryGetValue("key", out var key) && key is not null) config[key] = row.GetValueOrDefault("value") ?? "";
        }
        Version? version = null;
        foreach (var row in await RowsAsync(connection, "SHOW VERSION", cancellationToken).ConfigureAwait(false))
        {
            var text = row.Values.FirstOrDefault(v => v is not null) ?? "";
            if (VersionPattern().Match(text) is { Success: true } m) version = Version.Parse(m.Value);
        }
        var pairs = new List<int>();
        foreach (var row in await RowsAsync(connection, "SHOW DATABASES", cancellationToken).ConfigureAwait(false))
        {
            if (row.GetValueOrDefault("name") is "pgbouncer" or null) continue; // the admin console itself
            if (Int(row.GetValueOrDefault("pool_size")) is { } size) pairs.Add(size);
        }

        var maxDb = Int(config.GetValueOrDefault("max_db_connections"));
        return new PoolerSettings
        {
            Kind = "pgbouncer",
            Source = $"admin console {builder.Host}:{builder.Port}",
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

    private static async Task<List<Dictionary<string, string?>>> RowsAsync(NpgsqlConnectionStringBuilder connection, string sql, CancellationToken ct)
    {
        var start = new ProcessStartInfo("psql") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "-X", "-q", "-A", "-F", "\t", "-P", "footer=off", "-v", "ON_ERROR_STOP=1", "-c", sql }) start.ArgumentList.Add(arg);
        start.Environment["PGHOST"] = connection.Host ?? "localhost";
        start.Environment["PGPORT"] = connection.Port.ToString(CultureInfo.InvariantCulture);
        start.Environment["PGDATABASE"] = connection.Database;
        start.Environment["PGUSER"] = connection.Username ?? Environment.UserName;
        start.Environment["PGPASSWORD"] = connection.Password ?? "";
        start.Environment["PGCONNECT_TIMEOUT"] = Math.Max(2, connection.Timeout).ToString(CultureInfo.InvariantCulture);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("psql did not start.");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException("psql (postgresql-client) is needed to read PgBouncer's admin console and was not found.", e);
        }
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync(ct);
            var error = process.StandardError.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct).ConfigureAwait(false);
            if (process.ExitCode != 0) throw new InvalidOperationException($"{sql} on {connection.Host}:{connection.Port}: {(await error.ConfigureAwait(false)).Trim()}");
            var lines = (await output.ConfigureAwait(false)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (lines.Length == 0) return [];
            var names = lines[0].Split('\t');
            return lines.Skip(1).Select(line =>
            {
                var values = line.Split('\t');
                var row = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
                for (var i = 0; i < names.Length; i++) row[names[i]] = i < values.Length && values[i].Length > 0 ? values[i] : null;
                return row;
            }).ToList();
        }
    }

    private static int? Int(string? value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;

    [GeneratedRegex(@"\d+\.\d+(\.\d+)?")]
    private static partial Regex VersionPattern();
}
