using System.Globalization;

namespace Lifeguard.Configuration;

/// <summary>Reads the settings the pooler rules need from a pgbouncer.ini text: pure parsing, no I/O.</summary>
public static class PgBouncerIni
{
    /// <summary>Parses <paramref name="text"/>; each [databases] entry counts as one database/user pair.</summary>
    /// <param name="text">The ini file's text.</param>
    /// <param name="source">Where it came from, for messages (e.g. the file's path).</param>
    /// <exception cref="FormatException">A setting the rules use has a value PgBouncer would not accept.</exception>
    public static PoolerSettings Parse(string text, string source = "pgbouncer.ini")
    {
        ArgumentNullException.ThrowIfNull(text);
        var section = "";
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var databases = new List<(string Name, string Value)>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is ';' or '#' or '%') continue; // comments and %include
            if (line[0] == '[' && line[^1] == ']')
            {
                section = line[1..^1].Trim().ToLowerInvariant();
                continue;
            }
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) continue;
            var key = line[..eq].Trim();
            var value = line[(eq + 1)..].Trim();
            if (section == "pgbouncer") settings[key] = value;
            else if (section == "databases") databases.Add((key, value));
        }

        var defaultPoolSize = Int(settings, "default_pool_size", source) ?? PoolerSettings.DefaultDefaultPoolSize;
        var pairs = databases.Where(d => d.Name != "*")
            .Select(d => Int(DatabaseOptions(d.Value), "pool_size", source) ?? defaultPoolSize)
            .ToList();
        var maxDb = Int(settings, "max_db_connections", source);
        return new PoolerSettings
        {
            Kind = "pgbouncer",
            Source = source,
            Mode = settings.TryGetValue("pool_mode", out var mode) ? ParseMode(mode, source) : PoolerMode.Session,
            ListenPort = Int(settings, "listen_port", source) ?? 6432,
            MaxClientConnections = Int(settings, "max_client_conn", source) ?? PoolerSettings.DefaultMaxClientConnections,
            DefaultPoolSize = defaultPoolSize,
            ReservePoolSize = Int(settings, "reserve_pool_size", source) ?? 0,
            MaxDbConnections = maxDb is null or 0 ? null : maxDb,
            MaxPreparedStatements = Int(settings, "max_prepared_statements", source),
            PairPoolSizes = pairs,
        };
    }

    /// <summary>Parses a pool_mode value (session, transaction, statement), case-insensitive.</summary>
    /// <exception cref="FormatException">Not one of the three.</exception>
    public static PoolerMode ParseMode(string value, string source = "pool_mode") =>
        value.Trim().ToLowerInvariant() switch
        {
            "session" => PoolerMode.Session,
            "transaction" => PoolerMode.Transaction,
            "statement" => PoolerMode.Statement,
            _ => throw new FormatException($"{source}: pool_mode '{value}' is not session, transaction or statement."),
        };

    // A [databases] value is a libpq-style "key=value key=value" list.
    private static Dictionary<string, string> DatabaseOptions(string value) =>
        value.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.Split('=', 2))
            .Where(kv => kv.Length == 2)
            .GroupBy(kv => kv[0], StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.Last()[1], StringComparer.OrdinalIgnoreCase);

    private static int? Int(Dictionary<string, string> settings, string key, string source)
    {
        if (!settings.TryGetValue(key, out var value)) return null;
        return int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 0
            ? n
            : throw new FormatException($"{source}: {key} = '{value}' is not a non-negative whole number.");
    }
}
