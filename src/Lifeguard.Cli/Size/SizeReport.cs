using Lifeguard.Configuration;
using Lifeguard.Sizing;

namespace Lifeguard.Cli.Size;

/// <summary>The JSON `lifeguard size --json` writes: where the inputs came from, the inputs, and the recommendation (times in ms).</summary>
/// <remarks>With a pooler, <see cref="TwoQueue"/> holds both sizes; <see cref="Recommendation"/> is then what one instance would need straight to the server.</remarks>
internal sealed record SizeReport(string Verb, string Source, SizeReportInputs Inputs, SizeReportRecommendation Recommendation, IReadOnlyList<SizeReportAlternative> Alternatives, SizeReportTwoQueue? TwoQueue = null);

/// <summary>The two queues behind a pooler: the application's pool per instance and the pooler's pool per database/user pair.</summary>
internal sealed record SizeReportTwoQueue(
    SizingVerdict Verdict, string Mode, string PoolerSource, int MaxClientConn, int DatabaseUserPairs, int ReservePoolSize,
    int ApplicationPoolSize, int ApplicationMinimumPoolSize, double TimeoutSeconds, int PoolerPoolSize,
    int? ApplicationSmallestMeetingGoal, int? PoolerSmallestMeetingGoal, double ApplicationOfferedLoad, double ServerOfferedLoad,
    int ClientBudgetPerInstance, int? ServerBudgetPerPair, int FleetClientConnections, int PoolerServerConnections,
    double? PredictedApplicationWaitMs, double? PredictedPoolerWaitMs, IReadOnlyList<string> Warnings, IReadOnlyList<string> Reasons)
{
    public static SizeReportTwoQueue? From(TwoQueueSizingRecommendation? r, PoolerSettings? p) => r is null || p is null ? null : new(
        r.Verdict, r.Mode.ToString().ToLowerInvariant(), p.Source, p.MaxClientConnections, p.EffectivePairPoolSizes.Count, p.ReservePoolSize,
        r.ApplicationPoolSize, r.ApplicationMinimumPoolSize, r.Timeout.TotalSeconds, r.PoolerPoolSize,
        r.ApplicationSmallestMeetingGoal, r.PoolerSmallestMeetingGoal, r.ApplicationOfferedLoad, r.ServerOfferedLoad,
        r.ClientBudgetPerInstance, r.ServerBudgetPerPair, r.FleetClientConnections, r.PoolerServerConnections,
        r.PredictedApplicationWait?.TotalMilliseconds, r.PredictedPoolerWait?.TotalMilliseconds, r.Warnings, r.Reasons);
}

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
