using Lifeguard.Sizing;

namespace Lifeguard.Cli.Sweep;

/// <summary>The sweep's result, written as JSON (snake_case) and Markdown.</summary>
internal sealed record SweepReport
{
    public string Verb { get; init; } = "sweep";
    public required DateTimeOffset StartedAt { get; init; }
    public double DurationS { get; init; }
    public required SweepSettings Settings { get; init; }
    /// <summary>One row per measured pool size, ascending.</summary>
    public required IReadOnlyList<SweepPoint> Points { get; init; }
    /// <summary>The advisor's inputs (measured at the smallest unsaturated size) and its answer.</summary>
    public required SweepAdvice Advice { get; init; }
    /// <summary>Advisor, best measured, HikariCP's rule and Npgsql's default, side by side.</summary>
    public required IReadOnlyList<SweepCandidate> Comparison { get; init; }
    public double BestP99Ms { get; init; }
    public double BestThroughputRps { get; init; }
    /// <summary>The goal: the advisor's size within the tolerance of the best p99 and throughput.</summary>
    public bool AdvisorWithinTolerance { get; init; }
    public string? MarkdownPath { get; init; }
}

/// <summary>What the sweep ran with.</summary>
internal sealed record SweepSettings(double RateRps, int Rounds, double DurationPerSizeS, double WarmUpS, double NetworkDelayMs, int PoolTimeoutS, int Users, int DatabaseCores, int ServerConnectionBudget, double Tolerance, double WaitGoalMs, int MachineCores);

/// <summary>What the advisor was asked and answered.</summary>
internal sealed record SweepAdvice(
    int ReferencePoolSize, double ArrivalRatePerSecond, double HoldMeanMs, double HoldP99Ms, int DatabaseCores, int? MeasuredSaturationConnections,
    int ServerConnectionBudget, int RecommendedMaxPoolSize, string Verdict, double? PredictedWaitP99Ms, IReadOnlyList<string> Reasons);
