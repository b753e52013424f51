using System.Data.Common;
using System.Globalization;

namespace Lifeguard.Leases;

/// <summary>Provider-neutral reading of pool settings from a connection string (Npgsql and SqlClient spellings).</summary>
internal sealed record ConnectionStringFacts(int MaxPoolSize, int MinPoolSize, TimeSpan IdleLifetime, string PoolName)
{
    // Both Npgsql and SqlClient default to 100 connections and prune idle ones after ~5 minutes.
    internal const int DefaultMaxPoolSize = 100;
    internal static readonly TimeSpan DefaultIdleLifetime = TimeSpan.FromSeconds(300);

    /// <summary>How long an open may wait for a connection ("Timeout"; Npgsql and SqlClient default to 15 s): the fleet
    /// governor's cap waits as long before it gives up the way the pool would.</summary>
    public TimeSpan OpenTimeout { get; init; } = TimeSpan.FromSeconds(15);

    public static ConnectionStringFacts Parse(string? connectionString)
    {
        var b = new DbConnectionStringBuilder();
        try { b.ConnectionString = connectionString ?? ""; }
        catch (ArgumentException) { b.Clear(); }

        var max = ReadInt(b, "Maximum Pool Size", "Max Pool Size", "MaxPoolSize") ?? DefaultMaxPoolSize;
        var min = ReadInt(b, "Minimum Pool Size", "Min Pool Size", "MinPoolSize") ?? 0;
        var idle = ReadInt(b, "Connection Idle Lifetime", "ConnectionIdleLifetime") is { } s ? TimeSpan.FromSeconds(s) : DefaultIdleLifetime;
        var host = ReadString(b, "Host", "Server", "Data Source", "Address") ?? "default";
        var port = ReadString(b, "Port");
        var db = ReadString(b, "Database", "Initial Catalog");
        var name = host + (port is null ? "" : ":" + port) + (db is null ? "" : "/" + db);
        var timeout = ReadInt(b, "Timeout", "Connect Timeout", "Connection Timeout") is { } t and > 0 ? TimeSpan.FromSeconds(t) : TimeSpan.FromSeconds(15);
        return new ConnectionStringFacts(max, Math.Min(min, max), idle, name) { OpenTimeout = timeout };
    }

    private static int? ReadInt(DbConnectionStringBuilder b, params string[] keys)
    {
        foreach (var key in keys)
        {
            if (b.TryGetValue(key, out var v) && int.TryParse(Convert.ToString(v, CultureInfo.InvariantCulture), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 0)
                return n;
        }
        return null;
    }

    private static string? ReadString(DbConnectionStringBuilder b, params string[] keys)
    {
        foreach (var key in keys)
        {
            if (b.TryGetValue(key, out var v) && Convert.ToString(v, CultureInfo.InvariantCulture) is { Length: > 0 } s) return s;
        }
        return null;
    }
}
