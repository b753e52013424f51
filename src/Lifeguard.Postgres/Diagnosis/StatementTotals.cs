namespace Lifeguard.Postgres.Diagnosis;

/// <summary>One statement's cumulative counters in pg_stat_statements at one reading.</summary>
/// <param name="Calls">calls.</param>
/// <param name="TotalMs">total_exec_time, in milliseconds.</param>
/// <param name="Query">The normalised statement text (cut short).</param>
internal readonly record struct StatementTotals(long Calls, double TotalMs, string Query);
