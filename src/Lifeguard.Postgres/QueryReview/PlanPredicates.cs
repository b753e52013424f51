using System.Globalization;
using System.Text.RegularExpressions;

namespace Lifeguard.Postgres.QueryReview;

/// <summary>
/// Reads the columns a plan filters, joins and sorts on from the condition text PostgreSQL prints
/// (<c>((o.workspace_id = $1) AND (o.created_at &gt;= $2))</c>). A column counts only when the table really has it,
/// so anything the patterns mistake for a column (a function, a type) is dropped.
/// </summary>
internal static partial class PlanPredicates
{
    /// <summary>Predicates of every node in <paramref name="plan"/>; <paramref name="columnsOf"/> lists a table's columns (empty when unknown).</summary>
    public static IReadOnlyList<ColumnPredicate> Extract(ExplainPlan plan, Func<string, IReadOnlySet<string>> columnsOf)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(columnsOf);
        var aliases = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var n in plan.Nodes)
        {
            if (n.RelationName is null) continue;
            aliases.TryAdd(n.Alias ?? n.RelationName, n.RelationName);
            aliases.TryAdd(n.RelationName, n.RelationName);
        }

        var result = new List<ColumnPredicate>();
        foreach (var n in plan.Nodes)
        {
            // Unqualified columns belong to the node's own relation (a scan); join nodes print qualified names.
            var own = n.RelationName ?? (aliases.Count == 1 ? aliases.Values.First() : null);
            foreach (var cond in new[] { n.Filter, n.IndexCond, n.RecheckCond, n.HashCond, n.MergeCond, n.JoinFilter })
            {
                if (cond is null) continue;
                foreach (Match m in Comparison().Matches(cond))
                {
                    var op = m.Groups["op"].Value;
                    var kind = op is "=" ? PredicateKind.Equality : op is "<" or "<=" or ">" or ">=" ? PredicateKind.Range : (PredicateKind?)null;
                    if (kind is null) continue;
                    var rhs = m.Groups["rhs"].Value;
                    int? parameter = rhs.StartsWith('$') ? int.Parse(rhs.AsSpan(1), CultureInfo.InvariantCulture) : null;
                    if (rhs.StartsWith("ANY", StringComparison.Ordinal) && m.Groups["anyparam"].Success)
                    {
                        parameter = null; // an array parameter: no single representative value
                    }
                    Add(result, Resolve(m.Groups["alias"].Value, own, aliases), m.Groups["col"].Value, kind.Value, op, parameter, columnsOf);
                    // The other side of a join condition is a column too, of its own relation.
                    if (m.Groups["ralias"].Success && m.Groups["rcol"].Success && op == "=")
                    {
                        Add(result, Resolve(m.Groups["ralias"].Value, own, aliases), m.Groups["rcol"].Value, PredicateKind.Equality, op, null, columnsOf);
                    }
                }
            }

            if (n.SortKey.Count > 0)
            {
                foreach (var key in n.SortKey)
                {
                    var m = SortKey().Match(key);
                    if (!m.Success) continue;
                    Add(result, Resolve(m.Groups["alias"].Value, own, aliases), m.Groups["col"].Value, PredicateKind.Sort, m.Groups["desc"].Success ? "desc" : "asc", null, columnsOf);
                }
            }
        }

        return result.Distinct().ToList();
    }

    private static string? Resolve(string alias, string? own, Dictionary<string, string> aliases) =>
        alias.Length == 0 ? own : aliases.GetValueOrDefault(alias);

    private static void Add(List<ColumnPredicate> into, string? table, string column, PredicateKind kind, string op, int? parameter, Func<string, IReadOnlySet<string>> columnsOf)
    {
        if (table is null) return;
        if (!columnsOf(table).Contains(column)) return;
        into.Add(new ColumnPredicate(table, column, kind, op, parameter));
    }

    // (alias.)col or ((alias.)col)::type, an operator, then a parameter, a literal, ANY(...) or another column.
    [GeneratedRegex("""(?<![\w.$'"])\(*(?:(?<alias>[a-z_][\w$]*)\.)?"?(?<col>[a-z_][\w$]*)"?\)?(?:::[a-z ]+)?\s*(?<op><=|>=|<>|!=|=|<|>)\s*(?<rhs>\$\d+|ANY\s*\((?<anyparam>\$\d+)?|'(?:[^']|'')*'|-?\d[\d.]*|\(*(?:(?<ralias>[a-z_][\w$]*)\.)?"?(?<rcol>[a-z_][\w$]*)"?)""", RegexOptions.CultureInvariant)]
    private static partial Regex Comparison();

    [GeneratedRegex("""^(?:(?<alias>[a-z_][\w$]*)\.)?"?(?<col>[a-z_][\w$]*)"?(?<desc> DESC)?(?: NULLS (?:FIRST|LAST))?$""", RegexOptions.CultureInvariant)]
    private static partial Regex SortKey();
}
