namespace Lifeguard.Cli.Drill;

/// <summary>The drill's result, written as JSON (snake_case) and rendered to Markdown and a PNG timeline.</summary>
internal sealed record DrillReport
{
    public required DateTimeOffset StartedAt { get; init; }
    public bool Quick { get; init; }
    /// <summary>The fault injected (one of DrillFaults: pool, lock, slow-query, ...).</summary>
    public string Fault { get; init; } = Faults.DrillFaults.Pool;
    /// <summary>What exactly was done to the site or its database.</summary>
    public string? FaultDescription { get; init; }
    /// <summary>The cause the diagnoser should name for this fault; <see cref="RootCause"/> is what it did name.</summary>
    public string? ExpectedCause { get; init; }
    /// <summary>What the drill did about the named cause, and the pool size before and after (grown only when the pool is the cause).</summary>
    public DrillMitigation? Mitigation { get; init; }
    public double DurationS { get; init; }
    /// <summary>Runs of the same traffic side by side (pool with --admission, cpu, network); null when the drill has none.</summary>
    public DrillComparison? Comparison { get; init; }
    /// <summary>Seconds the side-by-side runs took (their sites' start included); <see cref="ResolvedAfterS"/> leaves them out.</summary>
    public double ComparisonS { get; init; }
    public required DrillSettings Settings { get; init; }
    public required IReadOnlyList<DrillPhase> Phases { get; init; }
    /// <summary>Seconds from the onset of peak traffic to a sustained symptom (p99 over SLO or errors).</summary>
    public double? DetectedAfterS { get; init; }
    /// <summary>Seconds from onset to a named root cause (the detector names it when it detects).</summary>
    public double? RootCauseAfterS { get; init; }
    /// <summary>Seconds from onset to the fixed website verified healthy under the same load, the side-by-side runs left out.</summary>
    public double? ResolvedAfterS { get; init; }
    public RootCause? RootCause { get; init; }
    public int? RecommendedMaxPoolSize { get; init; }
    public string? RecommendationReasoning { get; init; }
    /// <summary>What the advisor was given; `lifeguard size --from-json drill.json` reads it back.</summary>
    public DrillSizingInput? SizingInput { get; init; }
    public bool Recovered { get; init; }
    public double? RecoveryP99Ms { get; init; }
    public double BaselineP99Ms { get; init; }
    public required IReadOnlyList<DrillSample> Timeline { get; init; }
    public string? MarkdownPath { get; init; }
    public string? PlotPath { get; init; }
    /// <summary>The incident the fault became in the incident service, with its postmortem link; null when the drill did not ask.</summary>
    public DrillIncident? Incident { get; init; }
    /// <summary>The fleet drill's instances and runs side by side; null for the other faults.</summary>
    public Fleet.DrillFleet? Fleet { get; init; }
    /// <summary>Every case of a drill that runs more than one (the pooler: its pool shrunk, then held by a report job),
    /// each with its own cause, timings, mitigation and recovery; null for a drill of one case (the fields above are its).
    /// The fields above are the first case's, except <see cref="Recovered"/>, true only when every case recovered.</summary>
    public IReadOnlyList<DrillCase>? Cases { get; init; }

    /// <summary>Every case named its expected cause and recovered.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool Passed => RootCause?.Kind == ExpectedCause && Recovered
        && (Cases is null || Cases.All(c => c.RootCause?.Kind == c.ExpectedCause && c.Recovered));
}

/// <summary>One case of a drill with several: what was injected, what the live diagnoser named and when (seconds from
/// the case's own onset), what the drill did, and whether the same traffic recovered.</summary>
internal sealed record DrillCase(
    string Name,
    string FaultDescription,
    string ExpectedCause,
    RootCause? RootCause,
    double? DetectedAfterS,
    double? RootCauseAfterS,
    double? ResolvedAfterS,
    DrillMitigation? Mitigation,
    bool Recovered,
    double? RecoveryP99Ms,
    IReadOnlyList<string> Phases);

/// <summary>What the drill was configured with.</summary>
internal sealed record DrillSettings(int MisconfiguredMaxPoolSize, double NetworkDelayMs, double SloMs, double NormalRateRps, double PeakRateRps, int Users, int DatabaseCores, int ServerConnectionBudget);

/// <summary>The measured load behind the recommendation, in the `lifeguard size --from-json` schema.</summary>
internal sealed record DrillSizingInput(double ArrivalRatePerSecond, double HoldMeanMs, double HoldP99Ms, int Instances);

/// <summary>The mitigation that fits the named cause.</summary>
internal sealed record DrillMitigation(string Action, int PoolSizeBefore, int PoolSizeAfter)
{
    /// <summary>The mitigation needs the website restarted (the leak: with its fault switch off).</summary>
    [System.Text.Json.Serialization.JsonIgnore] public bool RestartSite { get; init; }
}
