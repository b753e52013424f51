using System.Globalization;

namespace Lifeguard.Postgres.QueryReview;

/// <summary>Unused and duplicate indexes, as pure logic over the catalog's index list (PgHero's rules).</summary>
internal static class IndexHealth
{
    /// <summary>How long the statistics must cover before "never scanned" is advice to drop (a business cycle).</summary>
    public static readonly TimeSpan FullCycle = TimeSpan.FromDays(7);

    /// <summary>Large indexes no scan used, with the window the statistics cover (pg_stat_database.stats_reset) and a
    /// warning when that window is shorter than a business cycle: a monthly report's index looks unused for 29 days.</summary>
    public static IReadOnlyList<UnusedIndex> Unused(IReadOnlyList<ExistingIndex> indexes, long minBytes, DateTimeOffset? statsReset = null, DateTimeOffset? now = null)
    {
        ArgumentNullException.ThrowIfNull(indexes);
        var age = statsReset is { } reset && now is { } at ? at - reset : (TimeSpan?)null;
        var window = age is { } a
            ? string.Create(CultureInfo.InvariantCulture, $"since the statistics were reset {statsReset!.Value.UtcDateTime:yyyy-MM-dd HH:mm}Z ({Age(a)} ago)")
            : "since the statistics began (never reset: as long as this database's statistics exist)";
        var tooShort = age is { } w && w < FullCycle
            ? $" The statistics cover only {Age(w)}: wait for a full business cycle ({FullCycle.TotalDays:0} days) before dropping it."
            : "";
        // Unique and primary-key indexes enforce constraints even when no query reads them.
        return indexes.Where(i => i.Scans == 0 && i.SizeBytes >= minBytes && !i.IsUnique && !i.IsPrimary)
            .OrderByDescending(i => i.SizeBytes)
            .Select(i => new UnusedIndex(i.Table, i.Name, i.SizeBytes, i.Definition,
                $"No scan used it {window}; if that covers a full business cycle, DROP INDEX CONCURRENTLY {Sql.Identifier(i.Schema)}.{Sql.Identifier(i.Name)}; (it costs every write and {i.SizeBytes / 1048576.0:0.#} MB).{tooShort}"))
            .ToList();
    }

    internal static string Age(TimeSpan age) => age switch
    {
        { TotalDays: >= 2 } => string.Create(CultureInfo.InvariantCulture, $"{age.TotalDays:0} days"),
        { TotalHours: >= 2 } => string.Create(CultureInfo.InvariantCulture, $"{age.TotalHours:0} hours"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{Math.Max(1, age.TotalMinutes):0} minutes"),
    };

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
