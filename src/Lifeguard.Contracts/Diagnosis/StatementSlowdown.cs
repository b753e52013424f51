namespace Lifeguard.Diagnosis;

/// <summary>A statement whose recent mean execution time grew against its own baseline.</summary>
/// <param name="QueryId">pg_stat_statements queryid (or the provider's equivalent), as text.</param>
/// <param name="Query">Normalized statement text.</param>
/// <param name="CallsPerSecond">Calls per second recently.</param>
/// <param name="RecentMeanMs">Mean execution time recently.</param>
/// <param name="BaselineMeanMs">Mean execution time before.</param>
/// <param name="ShareOfExecution">Its part of all server execution time recently (0..1).</param>
public sealed record StatementSlowdown(string QueryId, string Query, double CallsPerSecond, double RecentMeanMs, double BaselineMeanMs, double ShareOfExecution)
{
    /// <summary>How many times slower than its baseline.</summary>
    public double Growth => BaselineMeanMs <= 0 ? double.PositiveInfinity : RecentMeanMs / BaselineMeanMs;
}
