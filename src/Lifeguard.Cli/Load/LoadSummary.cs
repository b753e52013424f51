namespace Lifeguard.Cli.Load;

/// <summary>What a load run measured; written as JSON (snake_case) by `--json`.</summary>
internal sealed record LoadSummary
{
    public required string Mode { get; init; }
    /// <summary>The page loaded; with several --url sites, their pages joined by commas.</summary>
    public required string Url { get; init; }
    /// <summary>Each --url site's share of the run (one entry with a single site); the totals are the sums.</summary>
    public required IReadOnlyList<LoadUrlSummary> PerUrl { get; init; }
    public int Users { get; init; }
    public int LoggedInUsers { get; init; }
    public double? Rate { get; init; }
    public double ThinkMs { get; init; }
    public double DurationS { get; init; }
    public long Requests { get; init; }
    public long Ok { get; init; }
    public long Errors { get; init; }
    public double ErrorRate { get; init; }
    public required SortedDictionary<string, long> ErrorsByKind { get; init; }
    public double ThroughputRps { get; init; }
    public double MeanMs { get; init; }
    public double P50Ms { get; init; }
    public double P90Ms { get; init; }
    public double P99Ms { get; init; }
    public double MaxMs { get; init; }
    [System.Text.Json.Serialization.JsonPropertyName("share_over_10s")] public double ShareOver10s { get; init; }
    /// <summary>Latency percentiles of the pages served (2xx) alone.</summary>
    public double ServedP50Ms { get; init; }
    public double ServedP99Ms { get; init; }
    /// <summary>Requests answered 503 with a Retry-After header, told to come back later (counted among the errors): shed by
    /// admission control, or failed for want of a connection; their latency tells which (shed ones are answered fast).</summary>
    public long RetryLater { get; init; }
    public double RetryLaterP99Ms { get; init; }
    public double SloMs { get; init; }
    public double ShareOverSlo { get; init; }
    public required IReadOnlyList<LoadSecond> Timeline { get; init; }
}
