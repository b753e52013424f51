namespace Lifeguard.Postgres.QueryReview;

/// <summary>An index the database has: its key columns in order (empty for expression indexes), kind and usage.</summary>
internal sealed record ExistingIndex(
    string Schema,
    string Table,
    string Name,
    IReadOnlyList<string> Columns,
    string Method,
    bool IsUnique,
    bool IsPrimary,
    bool IsPartial,
    bool HasExpressions,
    long SizeBytes,
    long Scans,
    string Definition)
{
    /// <summary>True when this is a plain btree whose leading key columns are exactly <paramref name="columns"/> (so it already serves them).</summary>
    public bool CoversPrefix(IReadOnlyList<string> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        if (Method != "btree" || IsPartial || HasExpressions || columns.Count > Columns.Count) return false;
        for (var i = 0; i < columns.Count; i++)
        {
            if (!string.Equals(Columns[i], columns[i], StringComparison.Ordinal)) return false;
        }
        return true;
    }
}
