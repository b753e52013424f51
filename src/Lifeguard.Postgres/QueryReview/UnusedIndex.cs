namespace Lifeguard.Postgres.QueryReview;

/// <summary>An index no scan has used since statistics were reset, big enough to matter (PgHero: no scans and at least 10 MB).</summary>
public sealed record UnusedIndex(string Table, string Index, long SizeBytes, string Definition, string Fix);
