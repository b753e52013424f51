using Lifeguard.Configuration;

namespace Lifeguard.Sizing;

/// <summary>The two-queue answer: the application's pool per instance and the pooler's pool per database/user pair, and why.</summary>
public sealed record TwoQueueSizingRecommendation
{
    /// <summary>The conclusion over both queues; anything but <see cref="SizingVerdict.Recommended"/> needs a human decision.</summary>
    public required SizingVerdict Verdict { get; init; }

    /// <summary>The pooler's pool_mode the numbers are for.</summary>
    public required PoolerMode Mode { get; init; }

    /// <summary>Maximum Pool Size per instance (the first queue).</summary>
    public required int ApplicationPoolSize { get; init; }

    /// <summary>Minimum Pool Size per instance.</summary>
    public required int ApplicationMinimumPoolSize { get; init; }

    /// <summary>Npgsql's Timeout, whole seconds inside the request budget.</summary>
    public required TimeSpan Timeout { get; init; }

    /// <summary>The pooler's default_pool_size (server connections per database/user pair, the second queue).</summary>
    public required int PoolerPoolSize { get; init; }

    /// <summary>Smallest application pool meeting the goal at the measured rate, ignoring max_client_conn; null when none can.</summary>
    public required int? ApplicationSmallestMeetingGoal { get; init; }

    /// <summary>Smallest pooler pool meeting the goal at the measured rate, ignoring the server's slots; null when none can.</summary>
    public required int? PoolerSmallestMeetingGoal { get; init; }

    /// <summary>Connections busy on average in each instance's pool (erlangs).</summary>
    public required double ApplicationOfferedLoad { get; init; }

    /// <summary>Server connections busy on average for the whole fleet (erlangs): what the pooler's pool must carry.</summary>
    public required double ServerOfferedLoad { get; init; }

    /// <summary>Each instance's share of max_client_conn − other pooler clients.</summary>
    public required int ClientBudgetPerInstance { get; init; }

    /// <summary>Each pair's share of the server's usable slots, less the reserve pool; null when max_connections is unknown.</summary>
    public required int? ServerBudgetPerPair { get; init; }

    /// <summary>Instances × application pool: the pooler's clients from this fleet.</summary>
    public required int FleetClientConnections { get; init; }

    /// <summary>Pairs × (pooler pool + reserve): the server connections the pooler may open.</summary>
    public required int PoolerServerConnections { get; init; }

    /// <summary>Predicted wait in the application's pool at the goal quantile; null when unbounded.</summary>
    public required TimeSpan? PredictedApplicationWait { get; init; }

    /// <summary>Predicted wait in the pooler's queue at the goal quantile; null when unbounded.</summary>
    public required TimeSpan? PredictedPoolerWait { get; init; }

    /// <summary>What the budgets cannot carry, one line each; empty when both queues meet the goal.</summary>
    public required IReadOnlyList<string> Warnings { get; init; }

    /// <summary>The reasoning, one sentence per step, with the arithmetic.</summary>
    public required IReadOnlyList<string> Reasons { get; init; }
}
