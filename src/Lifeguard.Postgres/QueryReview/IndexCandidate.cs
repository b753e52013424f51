namespace Lifeguard.Postgres.QueryReview;

/// <summary>A btree index worth trying on <paramref name="Table"/>, key columns in order.</summary>
internal sealed record IndexCandidate(string Schema, string Table, IReadOnlyList<string> Columns)
{
    /// <summary>The statement that would build it without blocking writes.</summary>
    public string Ddl => $"CREATE INDEX CONCURRENTLY {Sql.Identifier(Name)} ON {Sql.Identifier(Schema)}.{Sql.Identifier(Table)} ({string.Join(", ", Columns.Select(Sql.Identifier))});";

    /// <summary>The same index as a plain (transactional) CREATE INDEX, for HypoPG and --verify.</summary>
    public string PlainDdl => $"CREATE INDEX {Sql.Identifier(Name)} ON {Sql.Identifier(Schema)}.{Sql.Identifier(Table)} ({string.Join(", ", Columns.Select(Sql.Identifier))})";

    /// <summary>PostgreSQL's own naming: table_col1_col2_idx, cut to the 63-byte identifier limit.</summary>
    public string Name
    {
        get
        {
            var name = $"{Table}_{string.Join("_", Columns)}_idx";
            return name.Length <= 63 ? name : name[..63];
        }
    }

    public bool Equals(IndexCandidate? other) =>
        other is not null && Schema == other.Schema && Table == other.Table && Columns.SequenceEqual(other.Columns);

    public override int GetHashCode() => HashCode.Combine(Schema, Table, string.Join(",", Columns));
}
