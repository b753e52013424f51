namespace Lifeguard.Cli.Drill;

/// <summary>One phase of the drill as measured by the users (load) and by the guard's /metrics.</summary>
internal sealed record DrillPhase
{
    public required string Name { get; init; }
    public int MaxPoolSize { get; init; }
    /// <summary>The website's admission budget in this phase (Lifeguard:AdmissionBudget); null: off, opens queue up to the provider's timeout.</summary>
    public double? AdmissionBudgetMs { get; init; }
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
    /// <summary>Share of requests at or over the drill's slow threshold (report's slow_threshold_s: 10 s, 5 s in quick).</summary>
    public double ShareSlow { get; init; }
    /// <summary>Latency of the pages served (2xx) alone.</summary>
    public double ServedP50Ms { get; init; }
    public double ServedP99Ms { get; init; }
    /// <summary>Requests answered 503 with Retry-After (counted among the errors), and how long those answers took.</summary>
    public long RetryLater { get; init; }
    public double RetryLaterP99Ms { get; init; }
    /// <summary>Opens the site's guard rejected by admission control in the phase (its lifeguard.connection.rejections).</summary>
    public long AdmissionRejections { get; init; }
    public double PoolWaitP99Ms { get; init; }
    public double HoldMeanMs { get; init; }
    public double HoldP99Ms { get; init; }
    public double LeasesPerRequest { get; init; }
    public required SortedDictionary<string, long> ErrorsByKind { get; init; }

    /// <summary>A phase as its users saw it (the load's summary); the pool's figures are the caller's to add.</summary>
    public static DrillPhase FromLoad(string name, Load.LoadSummary summary, double shareSlow, double startS, double endS)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return new DrillPhase
        {
            Name = name,
            StartS = Math.Round(startS, 1),
            EndS = Math.Round(endS, 1),
            Requests = summary.Requests,
            Errors = summary.Errors,
            ErrorRate = summary.ErrorRate,
            P50Ms = summary.P50Ms,
            P99Ms = summary.P99Ms,
            ShareOver10s = summary.ShareOver10s,
            ShareOverSlo = summary.ShareOverSlo,
            ShareSlow = shareSlow,
            ServedP50Ms = summary.ServedP50Ms,
            ServedP99Ms = summary.ServedP99Ms,
            RetryLater = summary.RetryLater,
            RetryLaterP99Ms = summary.RetryLaterP99Ms,
            ErrorsByKind = summary.ErrorsByKind,
        };
    }
}
