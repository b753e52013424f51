namespace Lifeguard.Cli.Drill;

/// <summary>The drill's diagnosis: a kind (pool_saturation, slow_queries, database_cpu, connection_leak, unknown) and its evidence.</summary>
internal sealed record RootCause(string Kind, string Summary, IReadOnlyList<string> Evidence);
