using Lifeguard.Sizing;

namespace Lifeguard.Cli.Size;

/// <summary>The JSON `lifeguard size --json` writes: where the inputs came from, the inputs, and the recommendation (times in ms).</summary>
internal sealed record SizeReport(string Verb, string Source, SizeReportInputs Inputs, SizeReportRecommendation Recommendation, IReadOnlyList<SizeReportAlternative> Alternatives);

/// <summary>The model's prediction at a neighbouring pool size, to see what one connection more or less buys.</summary>
internal sealed record SizeReportAlternative(int PoolSize, double Utilization, double ProbabilityOfWait, double? GoalQuantileWaitMs);

/// <summary>The inputs the model used.</summary>
internal sealed record SizeReportInputs(
    double ArrivalRatePerSecond, double HoldMeanMs, double HoldP99Ms, double HoldSquaredCoefficientOfVariation,
    int? DatabaseCores, int? DatabaseSaturationConnections, int? MaxConnections, int ReservedConnections, int OtherClientConnections,
    int Instances, double WaitGoalMs, double WaitGoalQuantile, double RequestBudgetSeconds, double BurstFactor,
    string? Pool, double? SampledLeases, double? SampledSeconds, double? CurrentMaximumPoolSize);

/// <summary>The advisor's answer.</summary>
internal sealed record SizeReportRecommendation(
    SizingVerdict Verdict, int MaximumPoolSize, int MinimumPoolSize, double TimeoutSeconds,
    double OfferedLoad, double FleetOfferedLoad, double Utilization, double PredictedProbabilityOfWait,
    double? PredictedMeanWaitMs, double? PredictedGoalQuantileWaitMs, int? SmallestSizeMeetingGoal,
    int? UsefulParallelism, int? ParallelismCapPerInstance, int? BudgetPerInstance, IReadOnlyList<string> Reasons)
{
    public static SizeReportRecommendation From(PoolSizingRecommendation r) => new(
        r.Verdict, r.MaximumPoolSize, r.MinimumPoolSize, r.Timeout.TotalSeconds, r.OfferedLoad, r.FleetOfferedLoad,
        double.IsFinite(r.Utilization) ? r.Utilization : -1, r.PredictedProbabilityOfWait,
        r.PredictedMeanWait?.TotalMilliseconds, r.PredictedGoalQuantileWait?.TotalMilliseconds, r.SmallestSizeMeetingGoal,
        r.UsefulParallelism, r.ParallelismCapPerInstance, r.BudgetPerInstance, r.Reasons);
}
