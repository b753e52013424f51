namespace Lifeguard.Postgres.QueryReview;

/// <summary>Unused and duplicate indexes, as pure logic over the catalog's index list (PgHero's rules).</summary>
internal static class IndexHealth
{
    public static IReadOnlyList<UnusedIndex> Unused(IReadOnlyList<ExistingIndex> indexes, long minBytes)
    {
        ArgumentNullException.ThrowIfNull(indexes);
        // Unique and primary-key indexes enforce constraints even when no query reads them.
        return indexes.Where(i => i.Scans == 0 && i.SizeBytes >= minBytes && !i.IsUnique && !i.IsPrimary)
            .OrderByDescending(i => i.SizeBytes)
            .Select(i => new UnusedIndex(i.Table, i.Name, i.SizeBytes, i.Definition,
                $"No scan used it since the statistics were reset; if that covers a full business cycle, DROP INDEX CONCURRENTLY {Sql.Identifier(i.Schema)}.{Sql.Identifier(i.Name)}; (it costs every write and {i.SizeBytes / 1048576.0:0.#} MB)."))
            .ToList();
    }

    public static IReadOnlyList<DuplicateIndex> Duplicates(IReadOnlyList<ExistingIndex> indexes)
    {
        ArgumentNullException.ThrowIfNull(indexes);
        var result = new List<DuplicateIndex>();
        foreach (var a in indexes)
        {
            if (a.IsUnique || a.IsPrimary || a.Columns.Count == 0 || a.Method != "btree" || a.IsPartial || a.HasExpressions) continue;
            var cover = indexes.FirstOrDefault(b => !ReferenceEquals(a, b) && b.Schema == a.Schema && b.Table == a.Table && b.CoversPrefix(a.Columns)
                // Two identical indexes: report only the one that sorts later, so one of them stays.
                && (b.Columns.Count > a.Columns.Count || b.IsUnique || string.CompareOrdinal(b.Name, a.Name) < 0));
            if (cover is null) continue;
            result.Add(new DuplicateIndex(a.Table, a.Name, cover.Name, a.SizeBytes, a.Definition,
                $"{cover.Name} ({string.Join(", ", cover.Columns)}) serves the same lookups: DROP INDEX CONCURRENTLY {Sql.Identifier(a.Schema)}.{Sql.Identifier(a.Name)};"));
        }

        return result;
    }
}
