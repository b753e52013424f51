using System.Text.RegularExpressions;

namespace Lifeguard.Postgres.QueryReview;

/// <summary>Quoting for the identifiers and literals the review writes into SQL it runs.</summary>
internal static partial class Sql
{
    public static string Identifier(string name) =>
        PlainIdentifier().IsMatch(name) ? name : "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    public static string Literal(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    [GeneratedRegex("^[a-z_][a-z0-9_$]*$", RegexOptions.CultureInvariant)]
    private static partial Regex PlainIdentifier();
}
