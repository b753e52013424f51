namespace Lifeguard.Sizing;

/// <summary>The advisor's answer: pool settings, what the model predicts at them, and why, in plain words.</summary>
public sealed record PoolSizingRecommendation
{
    /// <summary>The conclusion; anything but <see cref="SizingVerdict.Recommended"/> needs a human decision.</summary>
    public required SizingVerdict Verdict { get; init; }

    /// <summary>Recommended Maximum Pool Size per instance (0 when there is no budget at all).</summary>
    public required int MaximumPoolSize { get; init; }

    /// <summary>Recommended Minimum Pool Size: the connections busy on average, kept warm.</summary>
    public required int MinimumPoolSize { get; init; }

    /// <summary>Recommended connection acquire timeout, whole seconds and shorter than the request budget.</summary>
    public required TimeSpan Timeout { get; init; }

    /// <summary>Offered load per instance in erlangs (connection-seconds per second): the connections busy on average.</summary>
    public required double OfferedLoad { get; init; }

    /// <summary>Offered load of the whole fleet, compared with the database's useful parallelism.</summary>
    public required double FleetOfferedLoad { get; init; }

    /// <summary>Average fraction of the recommended pool in use.</summary>
    public required double Utilization { get; init; }

    /// <summary>Predicted probability that a lease waits at all.</summary>
    public required double PredictedProbabilityOfWait { get; init; }

    /// <summary>Predicted mean wait, or null when the queue would grow without bound.</summary>
    public required TimeSpan? PredictedMeanWait { get; init; }

    /// <summary>Predicted wait at the goal's quantile (p99 by default), or null when unbounded.</summary>
    public required TimeSpan? PredictedGoalQuantileWait { get; init; }

    /// <summary>Smallest pool meeting the goal at the measured rate, ignoring every cap; null when none can.</summary>
    public required int? SmallestSizeMeetingGoal { get; init; }

    /// <summary>Connections the database can usefully run at once (measured, or cores × 2 + 1); null when unknown.</summary>
    public required int? UsefulParallelism { get; init; }

    /// <summary>Per-instance cap from the database's parallelism; null when unknown.</summary>
    public required int? ParallelismCapPerInstance { get; init; }

    /// <summary>Per-instance share of max_connections − reserved − other clients; null when unknown.</summary>
    public required int? BudgetPerInstance { get; init; }

    /// <summary>The reasoning, one sentence per step.</summary>
    public required IReadOnlyList<string> Reasons { get; init; }
}
