using Npgsql;

namespace Lifeguard.Postgres.Fleet;

/// <summary>The registry's schema <c>lifeguard</c>, created by the library with a migration journal of its own
/// (<c>lifeguard.schema_journal</c>), never the application's. Instances starting together take turns (an advisory lock);
/// when the journal is already at the latest version nothing is created, so a role without CREATE works once an
/// administrator ran the migrations (docs/fleet.md).</summary>
internal static class FleetSchema
{
    /// <summary>The advisory lock every migration and every heartbeat takes (one fleet step at a time).</summary>
    public const long LockKey = 0x4C_47_46_4C_45_45_54; // "LGFLEET"

    /// <summary>The migrations, in order: version, name, SQL. Applied ones are never edited; a change is a new one.</summary>
    public static readonly IReadOnlyList<(int Version, string Name, string Sql)> Migrations =
    [
        (1, "fleet_instances", """
            CREATE TABLE lifeguard.fleet_instances (
                service       text NOT NULL,
                instance      text NOT NULL,
                pool_max      integer NOT NULL,
                in_use        integer NOT NULL,
                waiting       integer NOT NULL,
                wait_p99_ms   double precision NOT NULL,
                refused       integer NOT NULL DEFAULT 0,
                cause         text,
                started_at    timestamptz NOT NULL DEFAULT now(),
                heartbeat_at  timestamptz NOT NULL DEFAULT now(),
                cap           integer,
                claim         integer,
                wanted        integer,
                PRIMARY KEY (service, instance)
            )
            """),
    ];

    /// <summary>The latest version.</summary>
    public static int Latest => Migrations[^1].Version;

    /// <summary>Brings the schema up to date on <paramref name="connection"/>; returns the versions applied (none when it
    /// was up to date). A role without the rights gets PostgreSQL's 42501 (insufficient_privilege).</summary>
    public static async Task<IReadOnlyList<int>> MigrateAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        await ExecAsync(connection, tx, $"SELECT pg_advisory_xact_lock({LockKey})", ct).ConfigureAwait(false);
        await using (var exists = new NpgsqlCommand(FleetRegistry.Marker + " SELECT to_regclass('lifeguard.schema_journal') IS NOT NULL", connection, tx))
        {
            if (!(bool)(await exists.ExecuteScalarAsync(ct).ConfigureAwait(false))!)
            {
                await ExecAsync(connection, tx, """
                    CREATE SCHEMA IF NOT EXISTS lifeguard;
                    CREATE TABLE lifeguard.schema_journal (
                        version    integer PRIMARY KEY,
                        name       text NOT NULL,
                        applied_at timestamptz NOT NULL DEFAULT now()
                    )
                    """, ct).ConfigureAwait(false);
            }
        }
        int current;
        await using (var version = new NpgsqlCommand(FleetRegistry.Marker + " SELECT coalesce(max(version), 0) FROM lifeguard.schema_journal", connection, tx))
        {
            current = (int)(await version.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
        }
        var applied = new List<int>();
        foreach (var (v, name, sql) in Migrations.Where(m => m.Version > current))
        {
            await ExecAsync(connection, tx, sql, ct).ConfigureAwait(false);
            await using var journal = new NpgsqlCommand(FleetRegistry.Marker + " INSERT INTO lifeguard.schema_journal (version, name) VALUES ($1, $2)", connection, tx);
            journal.Parameters.Add(new() { Value = v });
            journal.Parameters.Add(new() { Value = name });
            await journal.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            applied.Add(v);
        }
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return applied;
    }

    private static async Task ExecAsync(NpgsqlConnection c, NpgsqlTransaction tx, string sql, CancellationToken ct)
    {
        // marked like every registry statement, so the diagnoser's statement baseline leaves it out
        await using var cmd = new NpgsqlCommand(FleetRegistry.Marker + " " + sql, c, tx);
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }
}
