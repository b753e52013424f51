using Npgsql;

namespace Lifeguard.Postgres.QueryReview;

/// <summary>Reads pg_stat_statements for the connected database, most total time first.</summary>
internal static class StatementStatsReader
{
    /// <summary>Top-level statements of the current database; throws <see cref="QueryReviewException"/> when the extension is missing.</summary>
    public static async Task<IReadOnlyList<StatementStats>> ReadAsync(NpgsqlConnection connection, int limit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using (var check = new NpgsqlCommand(StatementSource.OwnTag + "SELECT count(*) FROM pg_extension WHERE extname = 'pg_stat_statements'", connection))
        {
            if ((long)(await check.ExecuteScalarAsync(ct).ConfigureAwait(false))! == 0)
            {
                throw new QueryReviewException($"pg_stat_statements is not installed in database {connection.Database}: add it to shared_preload_libraries and run CREATE EXTENSION pg_stat_statements;");
            }
        }

        // The database's own rows only (dbid), top-level statements only (with track = all, nested ones are listed too).
        await using var cmd = new NpgsqlCommand(StatementSource.OwnTag + """
            SELECT s.queryid, s.query, s.calls, s.total_exec_time, s.mean_exec_time, s.rows, s.shared_blks_hit, s.shared_blks_read
            FROM pg_stat_statements s
            WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND s.toplevel AND s.queryid IS NOT NULL
            ORDER BY s.total_exec_time DESC
            LIMIT $1
            """, connection)
        {
            Parameters = { new() { Value = limit } },
        };
        var result = new List<StatementStats>();
        try
        {
            await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await r.ReadAsync(ct).ConfigureAwait(false))
            {
                result.Add(new StatementStats(r.GetInt64(0), r.IsDBNull(1) ? "" : r.GetString(1), r.GetInt64(2), r.GetDouble(3), r.GetDouble(4), r.GetInt64(5), r.GetInt64(6), r.GetInt64(7)));
            }
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ObjectNotInPrerequisiteState)
        {
            throw new QueryReviewException($"pg_stat_statements cannot be read: {e.MessageText} (it must be in shared_preload_libraries).", e);
        }

        return result;
    }
}
