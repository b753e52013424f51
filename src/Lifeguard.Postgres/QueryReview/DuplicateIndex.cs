namespace Lifeguard.Postgres.QueryReview;

/// <summary>An index whose key columns are a leading prefix of another btree index on the same table, which serves the same lookups.</summary>
public sealed record DuplicateIndex(string Table, string Index, string CoveredBy, long SizeBytes, string Definition, string Fix);
