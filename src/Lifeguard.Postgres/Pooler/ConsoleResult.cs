namespace Lifeguard.Postgres.Pooler;

/// <summary>A console answer: column names and rows of text (null for SQL NULL).</summary>
internal sealed record ConsoleResult(IReadOnlyList<string> Columns, IReadOnlyList<string?[]> Rows)
{
    /// <summary>Each row as a name → value map (case-insensitive names).</summary>
    public IEnumerable<Dictionary<string, string?>> Records() => Rows.Select(row =>
    {
        var map = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < Columns.Count && i < row.Length; i++) map[Columns[i]] = row[i];
        return map;
    });
}
