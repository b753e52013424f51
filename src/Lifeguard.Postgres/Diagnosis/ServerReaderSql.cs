namespace Lifeguard.Postgres.Diagnosis;

/// <summary>
/// Every statement the server reader runs (the budget's is <see cref="ServerBudgetQuery"/>, shared with the check and the
/// probes). Each carries <see cref="Marker"/> so its cost can be read back from pg_stat_statements and left out of the
/// statements judged.
/// </summary>
internal static class ServerReaderSql
{
    /// <summary>The comment in every statement the reader runs.</summary>
    public const string Marker = "/* lifeguard-diagnoser */";

    /// <summary>A trivial query, timed as the round trip; the backend's pid tells a pooler that hands out another backend.</summary>
    public const string RoundTrip = Marker + " SELECT pg_backend_pid()";

    /// <summary>Read at each connect, after the budget: a restart shows as a new start time; whether pg_stat_statements is there.</summary>
    public const string Server = Marker + """
         SELECT pg_postmaster_start_time(), to_regclass('pg_stat_statements') IS NOT NULL
        """;

    /// <summary>
    /// Every backend but this one: client backends are judged, the others' pids count for CPU. pg_blocking_pids only for
    /// sessions that wait on a lock (it takes the lock manager's locks). Whether a session is in this database: lock queues
    /// and open transactions of other databases on the same server are not this application's cause (slots and CPU are).
    /// </summary>
    public const string Activity = Marker + """
         SELECT pid, coalesce(state, ''), coalesce(wait_event_type, ''), coalesce(wait_event, ''), coalesce(application_name, ''),
               coalesce(usename::text, ''), coalesce(host(client_addr), 'local'), coalesce(backend_type, ''),
               coalesce(extract(epoch FROM now() - xact_start), 0)::float8,
               coalesce(extract(epoch FROM now() - state_change), 0)::float8,
               left(coalesce(query, ''), 300),
               CASE WHEN wait_event_type = 'Lock' THEN pg_blocking_pids(pid) END,
               coalesce(datname = current_database(), false)
          FROM pg_stat_activity WHERE pid <> pg_backend_pid()
        """;

    /// <summary>This database's top-level statements with most calls ($1 of them), the reader's and the fleet registry's own left out.</summary>
    public const string Statements = Marker + """
         SELECT queryid::text, calls, total_exec_time, left(query, 300)
          FROM pg_stat_statements
         WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND toplevel
           AND query NOT LIKE '%lifeguard-diagnoser%'
           AND query NOT LIKE '%lifeguard-fleet%'
         ORDER BY calls DESC LIMIT $1
        """;
}
