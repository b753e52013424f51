using System.Text.Json;
using Npgsql;

namespace Lifeguard.Cli.Drill.Fleet;

/// <summary>
/// The fleet as the server sees it, read in one statement on the drill's operator session (opened before any instance,
/// so it still reads when the slots are full): the slots the other clients leave the pools, the sessions each instance
/// holds, and each instance's registry row (the refused opens it reported, its cap and claim).
/// </summary>
internal sealed class FleetSampler(NpgsqlConnection op)
{
    public const string ApplicationPrefix = "Lifeguard.Website/";

    private const string Sql = """
        SELECT (current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int
                 - count(*) FILTER (WHERE application_name NOT LIKE 'Lifeguard.Website/%'))::int,
               count(*)::int,
               coalesce((SELECT json_object_agg(application_name, n) FROM (SELECT application_name, count(*) AS n FROM pg_stat_activity
                          WHERE backend_type = 'client backend' AND application_name LIKE 'Lifeguard.Website/%' GROUP BY 1) held), '{}')::text,
               coalesce((SELECT json_agg(json_build_object('instance', instance, 'refused', refused, 'cap', cap, 'claim', claim,
                          'heartbeat', to_char(heartbeat_at, 'YYYY-MM-DD"T"HH24:MI:SS.US'))) FROM lifeguard.fleet_instances), '[]')::text
          FROM pg_stat_activity WHERE backend_type = 'client backend'
        """;

    private readonly Dictionary<string, string> _lastHeartbeat = new(StringComparer.Ordinal);

    /// <summary>Opens the server refused each instance, summed over its heartbeats since <see cref="Reset"/>.</summary>
    public Dictionary<string, int> Refused { get; } = new(StringComparer.Ordinal);

    public void Reset()
    {
        _lastHeartbeat.Clear();
        Refused.Clear();
    }

    public async Task<FleetReading> ReadAsync(CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(Sql, op);
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await r.ReadAsync(ct).ConfigureAwait(false);
        var budget = r.GetInt32(0);
        var backends = r.GetInt32(1);
        var held = JsonSerializer.Deserialize<Dictionary<string, int>>(r.GetString(2)) ?? [];
        var rows = new List<(string Instance, int? Cap, int? Claim)>();
        using (var doc = JsonDocument.Parse(r.GetString(3)))
        {
            foreach (var row in doc.RootElement.EnumerateArray())
            {
                var instance = row.GetProperty("instance").GetString()!;
                var heartbeat = row.GetProperty("heartbeat").GetString()!;
                // refused counts the opens since the row's previous heartbeat: add it once per heartbeat
                if (_lastHeartbeat.GetValueOrDefault(instance) != heartbeat)
                {
                    _lastHeartbeat[instance] = heartbeat;
                    Refused[instance] = Refused.GetValueOrDefault(instance) + row.GetProperty("refused").GetInt32();
                }
                rows.Add((instance, Int(row, "cap"), Int(row, "claim")));
            }
        }

        return new FleetReading(DateTimeOffset.UtcNow, budget, backends,
            held.ToDictionary(h => h.Key[ApplicationPrefix.Length..], h => h.Value, StringComparer.Ordinal),
            rows.ToDictionary(x => x.Instance, x => x.Cap, StringComparer.Ordinal),
            rows.ToDictionary(x => x.Instance, x => x.Claim, StringComparer.Ordinal));
    }

    /// <summary>Forgets every instance in the registry: the drill's own server, its previous run's instances killed.</summary>
    public async Task ClearRegistryAsync(CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("DELETE FROM lifeguard.fleet_instances", op);
        try
        {
            await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable || e.SqlState == PostgresErrorCodes.InvalidSchemaName)
        {
            // no instance ever ran on this server: nothing to forget
        }
    }

    private static int? Int(JsonElement row, string name) => row.GetProperty(name).ValueKind == JsonValueKind.Number ? row.GetProperty(name).GetInt32() : null;
}

/// <summary>One reading: the slots left for the pools, all client sessions, each instance's sessions, caps and claims.</summary>
internal sealed record FleetReading(
    DateTimeOffset At, int Budget, int Backends, IReadOnlyDictionary<string, int> Held, IReadOnlyDictionary<string, int?> Caps, IReadOnlyDictionary<string, int?> Claims)
{
    public int FleetSessions => Held.Values.Sum();
    public int? ClaimSum => Claims.Values.Any(c => c is not null) ? Claims.Values.Sum(c => c ?? 0) : null;
}
