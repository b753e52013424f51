namespace Lifeguard.Postgres.QueryReview;

/// <summary>
/// Candidate btree indexes from a plan's predicates, the way Dexter and pganalyze build them: every column alone, and
/// ordered pairs with an equality column first (equality+equality both ways, equality+range, equality+sort).
/// A candidate an existing index already serves (same leading columns) is skipped.
/// </summary>
internal static class IndexCandidates
{
    /// <summary>At most this many candidates per statement, so HypoPG validation stays bounded.</summary>
    public const int MaxPerStatement = 40;

    public static IReadOnlyList<IndexCandidate> From(IReadOnlyList<ColumnPredicate> predicates, IReadOnlyList<ExistingIndex> existing, Func<string, string> schemaOf)
    {
        ArgumentNullException.ThrowIfNull(predicates);
        ArgumentNullException.ThrowIfNull(existing);
        ArgumentNullException.ThrowIfNull(schemaOf);
        var result = new List<IndexCandidate>();
        foreach (var table in predicates.GroupBy(p => p.Table, StringComparer.Ordinal))
        {
            var eq = table.Where(p => p.Kind == PredicateKind.Equality).Select(p => p.Column).Distinct().ToList();
            var range = table.Where(p => p.Kind == PredicateKind.Range).Select(p => p.Column).Distinct().ToList();
            var sort = table.Where(p => p.Kind == PredicateKind.Sort).Select(p => p.Column).Distinct().ToList();
            var lists = new List<string[]>();
            lists.AddRange(eq.Concat(range).Concat(sort).Distinct().Select(c => new[] { c }));
            foreach (var a in eq)
            {
                lists.AddRange(eq.Where(b => b != a).Select(b => new[] { a, b }));
                lists.AddRange(range.Where(b => b != a).Select(b => new[] { a, b }));
                lists.AddRange(sort.Where(b => b != a).Select(b => new[] { a, b }));
            }

            var schema = schemaOf(table.Key);
            var onTable = existing.Where(i => i.Table == table.Key && i.Schema == schema).ToList();
            foreach (var columns in lists)
            {
                if (onTable.Any(i => i.CoversPrefix(columns))) continue;
                var candidate = new IndexCandidate(schema, table.Key, columns);
                if (!result.Contains(candidate)) result.Add(candidate);
            }
        }

        return result.Take(MaxPerStatement).ToList();
    }
}
