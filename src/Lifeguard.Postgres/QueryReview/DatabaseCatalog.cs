using Npgsql;

namespace Lifeguard.Postgres.QueryReview;

/// <summary>The tables and indexes of the reviewed database, read once, for resolving plan names and judging candidates.</summary>
internal sealed class DatabaseCatalog
{
    private static readonly IReadOnlySet<string> NoColumns = new HashSet<string>();
    private readonly Dictionary<string, TableInfo> _tables;

    public DatabaseCatalog(IEnumerable<TableInfo> tables, IReadOnlyList<ExistingIndex> indexes, DateTimeOffset? statsReset = null)
    {
        StatsReset = statsReset;
        ArgumentNullException.ThrowIfNull(tables);
        // A plan names tables without their schema; the first one given wins (the reader lists visible ones first).
        _tables = new Dictionary<string, TableInfo>(StringComparer.Ordinal);
        foreach (var t in tables) _tables.TryAdd(t.Name, t);
        Indexes = indexes;
    }

    public IReadOnlyList<ExistingIndex> Indexes { get; }

    /// <summary>When this database's statistics were last reset (pg_stat_database.stats_reset); null when never.</summary>
    public DateTimeOffset? StatsReset { get; }

    public IReadOnlyCollection<TableInfo> Tables => _tables.Values;

    public TableInfo? Table(string name) => _tables.GetValueOrDefault(name);

    public IReadOnlySet<string> ColumnsOf(string table) => _tables.TryGetValue(table, out var t) ? t.Columns : NoColumns;

    public string SchemaOf(string table) => _tables.TryGetValue(table, out var t) ? t.Schema : "public";

    public PlanFacts Facts(double largeTableRows) =>
        new(_tables.ToDictionary(t => t.Key, t => t.Value.Rows, StringComparer.Ordinal)) { LargeTableRows = largeTableRows };

    /// <summary>Reads user tables (visible ones first) and their indexes with size and scan counts.</summary>
    public static async Task<DatabaseCatalog> ReadAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        const string tablesSql = StatementSource.OwnTag + """
            SELECT n.nspname, c.relname, greatest(c.reltuples, 0)::float8, pg_total_relation_size(c.oid),
                   array_agg(a.attname::text ORDER BY a.attnum)
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            WHERE c.relkind IN ('r', 'p', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%'
            GROUP BY n.nspname, c.relname, c.reltuples, c.oid
            ORDER BY pg_table_is_visible(c.oid) DESC, n.nspname, c.relname
            """;
        var tables = new List<TableInfo>();
        await using (var cmd = new NpgsqlCommand(tablesSql, connection))
        await using (var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await r.ReadAsync(ct).ConfigureAwait(false))
            {
                tables.Add(new TableInfo(r.GetString(0), r.GetString(1), r.GetDouble(2), r.GetInt64(3), new HashSet<string>(r.GetFieldValue<string[]>(4), StringComparer.Ordinal)));
            }
        }

        const string indexesSql = StatementSource.OwnTag + """
            SELECT n.nspname, t.relname, i.relname, am.amname, x.indisunique, x.indisprimary,
                   x.indpred IS NOT NULL, x.indexprs IS NOT NULL, pg_relation_size(i.oid),
                   coalesce(s.idx_scan, 0), pg_get_indexdef(i.oid),
                   ARRAY(SELECT a.attname::text FROM unnest(x.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
                         JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
                         WHERE k.ord <= x.indnkeyatts ORDER BY k.ord)
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            JOIN pg_namespace n ON n.oid = t.relnamespace
            JOIN pg_am am ON am.oid = i.relam
            LEFT JOIN pg_stat_user_indexes s ON s.indexrelid = i.oid
            WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%'
            ORDER BY n.nspname, t.relname, i.relname
            """;
        var indexes = new List<ExistingIndex>();
        await using (var cmd = new NpgsqlCommand(indexesSql, connection))
        await using (var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await r.ReadAsync(ct).ConfigureAwait(false))
            {
                indexes.Add(new ExistingIndex(r.GetString(0), r.GetString(1), r.GetString(2), r.GetFieldValue<string[]>(11), r.GetString(3),
                    r.GetBoolean(4), r.GetBoolean(5), r.GetBoolean(6), r.GetBoolean(7), r.GetInt64(8), r.GetInt64(9), r.GetString(10)));
            }
        }

        const string resetSql = StatementSource.OwnTag + "SELECT stats_reset FROM pg_stat_database WHERE datname = current_database()";
        DateTimeOffset? statsReset;
        await using (var cmd = new NpgsqlCommand(resetSql, connection))
        {
            statsReset = await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false) is DateTime reset ? new DateTimeOffset(DateTime.SpecifyKind(reset, DateTimeKind.Utc)) : null;
        }

        return new DatabaseCatalog(tables, indexes, statsReset);
    }
}
