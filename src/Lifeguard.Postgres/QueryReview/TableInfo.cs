namespace Lifeguard.Postgres.QueryReview;

/// <summary>A table of the reviewed database: its schema, estimated rows and column names.</summary>
internal sealed record TableInfo(string Schema, string Name, double Rows, long SizeBytes, IReadOnlySet<string> Columns);
