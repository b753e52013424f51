using System.Text.RegularExpressions;

namespace Lifeguard.Postgres.QueryReview;

/// <summary>
/// Reads what a statement's text says about itself: the operation tag an application puts in a leading comment
/// (<c>/* dashboard.totals */</c>), and whether it is a read-only query that EXPLAIN ANALYZE may run.
/// </summary>
public static partial class StatementSource
{
    /// <summary>The first leading comment's text ("dashboard.totals"), or null.</summary>
    public static string? Tag(string query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var m = LeadingComment().Match(query);
        return m.Success ? m.Groups["tag"].Value.Trim() : null;
    }

    /// <summary>The text without leading comments and whitespace.</summary>
    public static string Body(string query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var rest = query;
        while (true)
        {
            var trimmed = rest.TrimStart();
            if (trimmed.StartsWith("/*", StringComparison.Ordinal))
            {
                var end = trimmed.IndexOf("*/", 2, StringComparison.Ordinal);
                if (end < 0) return "";
                rest = trimmed[(end + 2)..];
            }
            else if (trimmed.StartsWith("--", StringComparison.Ordinal))
            {
                var end = trimmed.IndexOf('\n', StringComparison.Ordinal);
                rest = end < 0 ? "" : trimmed[(end + 1)..];
            }
            else
            {
                return trimmed;
            }
        }
    }

    /// <summary>The statement's first keyword, upper case ("SELECT", "WITH", "UPDATE").</summary>
    public static string Verb(string query)
    {
        var m = FirstWord().Match(Body(query));
        return m.Success ? m.Value.ToUpperInvariant() : "";
    }

    /// <summary>
    /// True when the text is a plain query: SELECT/WITH/VALUES/TABLE with no data-changing keyword, no row locks and no
    /// SELECT INTO. (The review runs it in a READ ONLY transaction as well, so PostgreSQL itself refuses any write.)
    /// </summary>
    public static bool IsReadOnly(string query)
    {
        var verb = Verb(query);
        if (verb is not ("SELECT" or "WITH" or "VALUES" or "TABLE")) return false;
        return !Writes().IsMatch(Body(query));
    }

    /// <summary>
    /// True when the text is one statement (a trailing semicolon aside). The review PREPAREs the text it finds, so a text with
    /// a second statement after a semicolon is never sent: the provider would run that statement too.
    /// </summary>
    public static bool IsSingleStatement(string query)
    {
        ArgumentNullException.ThrowIfNull(query);
        return !query.TrimEnd().TrimEnd(';').Contains(';', StringComparison.Ordinal);
    }

    /// <summary>
    /// pg_stat_statements replaces the literal of a typed constant (<c>timestamptz '2026-01-01'</c>) with a parameter,
    /// leaving <c>timestamptz $6</c>, which does not parse. This writes it as the cast it meant: <c>$6::timestamptz</c>.
    /// </summary>
    public static string RepairTypedLiterals(string query)
    {
        ArgumentNullException.ThrowIfNull(query);
        return TypedLiteral().Replace(query, m => $"{m.Groups["param"].Value}::{m.Groups["type"].Value}");
    }

    [GeneratedRegex(@"(?<![\w.$])(?<type>timestamptz|timestamp|date|time|timetz|interval|numeric|int2|int4|int8|integer|bigint|smallint|text|uuid|json|jsonb|inet|bool|boolean|float4|float8|money)\s+(?<param>\$\d+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex TypedLiteral();

    /// <summary>The comment the review puts on its own statements, so a later review skips them.</summary>
    public const string OwnTag = "/* lifeguard review */ ";

    /// <summary>True for the statements a review looks at: queries and DML, not utility commands or its own EXPLAINs.</summary>
    public static bool IsReviewable(string query)
    {
        var verb = Verb(query);
        if (verb is not ("SELECT" or "WITH" or "VALUES" or "TABLE" or "INSERT" or "UPDATE" or "DELETE")) return false;
        // Lifeguard's own statements (the review's, the diagnoser's) and hypothetical-index calls are not the app's to review.
        return !OwnQueries().IsMatch(query);
    }

    /// <summary>
    /// The guard operation a tag belongs to: the operation named exactly like the tag, else the route whose every path
    /// segment is the tag's dotted part at that place (a <c>{parameter}</c> segment matches any), the longest such route
    /// winning ("account.login" -> "POST /Account/Login", never "GET /Account/Logout"; "dashboard.totals" ->
    /// "GET /Dashboard"). Ties go to the operation listed first, so list them busiest first (the route that holds
    /// connections most is the one that runs the statement). Null when none matches.
    /// </summary>
    public static string? RouteFor(string? tag, IEnumerable<string> operations)
    {
        ArgumentNullException.ThrowIfNull(operations);
        if (string.IsNullOrWhiteSpace(tag)) return null;
        var list = operations.ToList();
        var exact = list.FirstOrDefault(o => string.Equals(o, tag, StringComparison.Ordinal));
        if (exact is not null) return exact;
        var parts = tag.Split('.');
        string? best = null;
        var bestScore = 0;
        foreach (var o in list)
        {
            var score = Matches(o, parts);
            if (score > bestScore)
            {
                best = o;
                bestScore = score;
            }
        }
        return best;
    }

    /// <summary>The route's number of path segments when each is the tag's part at that place (case ignored), else 0.</summary>
    private static int Matches(string operation, string[] parts)
    {
        var path = operation.Contains(' ', StringComparison.Ordinal) ? operation[(operation.IndexOf(' ', StringComparison.Ordinal) + 1)..] : operation;
        var segments = path.Trim('/').Split('/');
        if (segments.Length > parts.Length || segments[0].Length == 0) return 0;
        for (var i = 0; i < segments.Length; i++)
        {
            var parameter = segments[i].StartsWith('{') && segments[i].EndsWith('}');
            if (!parameter && !string.Equals(segments[i], parts[i], StringComparison.OrdinalIgnoreCase)) return 0;
        }
        return segments.Length;
    }

    [GeneratedRegex(@"^\s*/\*(?<tag>(?:(?!\*/).){1,200})\*/", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex LeadingComment();

    [GeneratedRegex(@"^[A-Za-z]+", RegexOptions.CultureInvariant)]
    private static partial Regex FirstWord();

    [GeneratedRegex(@"\b(insert|update|delete|merge|truncate|copy|nextval|setval)\b|\bfor\s+(update|share|no\s+key\s+update|key\s+share)\b|\binto\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Writes();

    // Lifeguard's own statements lead with a comment naming it (/* lifeguard review */, /* lifeguard-diagnoser */ from the
    // server reader and the server metrics): on a quiet site they would otherwise top the slowest statements.
    [GeneratedRegex(@"^\s*/\*\s*lifeguard[- ][a-z]+\s*\*/|\bhypopg\w*\s*\(", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex OwnQueries();
}
