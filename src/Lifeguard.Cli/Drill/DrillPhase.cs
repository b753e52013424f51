namespace Lifeguard.Cli.Drill;

/// <summary>One phase of the drill as measured by the users (load) and by the guard's /metrics.</summary>
internal sealed record DrillPhase
{
    public required string Name { get; init; }
    public int MaxPoolSize { get; init; }
    public double RateRps { get; init; }
    public double StartS { get; init; }
    public double EndS { get; init; }
    public long Requests { get; init; }
    public long Errors { get; init; }
    public double ErrorRate { get; init; }
    public double P50Ms { get; init; }
    public double P99Ms { get; init; }
    [System.Text.Json.Serialization.JsonPropertyName("share_over_10s")] public double ShareOver10s { get; init; }
    public double ShareOverSlo { get; init; }
    public double PoolWaitP99Ms { get; init; }
    public double HoldMeanMs { get; init; }
    public double HoldP99Ms { get; init; }
    public double LeasesPerRequest { get; init; }
    public required SortedDictionary<string, long> ErrorsByKind { get; init; }
}
