namespace Lifeguard.Postgres.QueryReview;

/// <summary>What the rules need to know besides the plan: how many rows each table has (pg_class.reltuples).</summary>
internal sealed class PlanFacts
{
    public static readonly PlanFacts Empty = new(new Dictionary<string, double>());

    public PlanFacts(IReadOnlyDictionary<string, double> tableRows) => TableRows = tableRows;

    /// <summary>Estimated rows per table name.</summary>
    public IReadOnlyDictionary<string, double> TableRows { get; }

    /// <summary>A table at least this big is "large": a sequential scan on it is a finding (and a baseline regression).</summary>
    public double LargeTableRows { get; init; } = 100_000;

    /// <summary>A node must spend at least this long itself for its share of the time to be a finding (sub-millisecond nodes are noise).</summary>
    public double MinNodeMs { get; init; } = 1.0;

    public bool IsLarge(string? table) => table is not null && TableRows.TryGetValue(table, out var rows) && rows >= LargeTableRows;
}
