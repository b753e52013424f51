using System.Text;

namespace Lifeguard.Postgres.Diagnosis;

/// <summary>
/// A live query's text with its constants taken out, as pg_stat_statements shows statements: string, dollar-quoted,
/// bit and numeric literals become <c>$1</c>, <c>$2</c>, … and comments are dropped. The lock evidence quotes the root
/// blocker's query from pg_stat_activity; its literals can be anything a client sent (a report's customer name, a
/// password in an ALTER ROLE), and the evidence is stored in incidents and shown to every reader.
/// </summary>
public static class QueryTextNormalizer
{
    /// <summary>The normalised text; a literal cut off by truncation is replaced to the end.</summary>
    public static string Normalize(string? sql)
    {
        if (string.IsNullOrEmpty(sql)) return "";
        var sb = new StringBuilder(sql.Length);
        var n = 0;
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            if (c == '-' && At(sql, i + 1) == '-')
            {
                while (i < sql.Length && sql[i] != '\n') i++; // a line comment, to its end
                continue;
            }

            if (c == '/' && At(sql, i + 1) == '*')
            {
                var end = sql.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? sql.Length : end + 2;
                sb.Append(' ');
                continue;
            }

            if (c == '"')
            {
                // a quoted identifier is a name, not a value: kept
                var end = i + 1;
                while (end < sql.Length && !(sql[end] == '"' && At(sql, end + 1) != '"')) end += sql[end] == '"' ? 2 : 1;
                end = Math.Min(end + 1, sql.Length);
                sb.Append(sql, i, end - i);
                i = end;
                continue;
            }

            if (c == '\'')
            {
                // E'..' allows backslash escapes; the prefix letter (E, B, X, N) goes with the literal
                var escapes = false;
                if (sb.Length > 0 && char.ToUpperInvariant(sb[^1]) is 'E' or 'B' or 'X' or 'N' && !IsWordChar(At(sb, sb.Length - 2)))
                {
                    escapes = char.ToUpperInvariant(sb[^1]) == 'E';
                    sb.Length--;
                }

                i = SkipQuoted(sql, i, escapes);
                sb.Append('$').Append(++n);
                continue;
            }

            if (c == '$' && DollarTag(sql, i) is { } tag)
            {
                var end = sql.IndexOf(tag, i + tag.Length, StringComparison.Ordinal);
                i = end < 0 ? sql.Length : end + tag.Length;
                sb.Append('$').Append(++n);
                continue;
            }

            if (c == '$' && char.IsAsciiDigit(At(sql, i + 1)))
            {
                // a parameter the client already sent separately: kept as it is
                var end = i + 1;
                while (end < sql.Length && char.IsAsciiDigit(sql[end])) end++;
                sb.Append(sql, i, end - i);
                i = end;
                continue;
            }

            if ((char.IsAsciiDigit(c) || (c == '.' && char.IsAsciiDigit(At(sql, i + 1)))) && !IsWordChar(At(sb, sb.Length - 1)))
            {
                var end = i;
                while (end < sql.Length && (char.IsAsciiDigit(sql[end]) || sql[end] is '.' or '_'
                       || ((sql[end] is 'e' or 'E') && (char.IsAsciiDigit(At(sql, end + 1)) || At(sql, end + 1) is '+' or '-'))
                       || (sql[end] is '+' or '-' && At(sql, end - 1) is 'e' or 'E')))
                {
                    end++;
                }

                sb.Append('$').Append(++n);
                i = end;
                continue;
            }

            sb.Append(c);
            i++;
        }

        return sb.ToString().Trim();
    }

    // the index after a '...' literal ('' is a quote inside it; with escapes, \' too); the end of text when cut off
    private static int SkipQuoted(string sql, int start, bool escapes)
    {
        var i = start + 1;
        while (i < sql.Length)
        {
            if (escapes && sql[i] == '\\') { i += 2; continue; }
            if (sql[i] == '\'')
            {
                if (At(sql, i + 1) == '\'') { i += 2; continue; }
                return i + 1;
            }

            i++;
        }

        return sql.Length;
    }

    // $$ or $tag$ opening a dollar-quoted string (a tag is an identifier that does not start with a digit)
    private static string? DollarTag(string sql, int start)
    {
        var end = start + 1;
        if (end < sql.Length && char.IsAsciiDigit(sql[end])) return null;
        while (end < sql.Length && (char.IsLetterOrDigit(sql[end]) || sql[end] == '_')) end++;
        return end < sql.Length && sql[end] == '$' ? sql.Substring(start, end - start + 1) : null;
    }

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c is '_' or '$';

    private static char At(string s, int i) => i >= 0 && i < s.Length ? s[i] : '\0';

    private static char At(StringBuilder s, int i) => i >= 0 && i < s.Length ? s[i] : '\0';
}
