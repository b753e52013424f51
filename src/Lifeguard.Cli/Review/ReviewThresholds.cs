using System.Text.Json.Serialization;
using Lifeguard.Postgres.QueryReview;

namespace Lifeguard.Cli.Review;

/// <summary>The thresholds a review ran with, echoed so a report can be read on its own.</summary>
internal sealed record ReviewThresholds(int Top, long MinCalls, double MinTotalMs, double MinMeanMs, double MinCostForAdvice, double MinCostDrop, double LargeTableRows, long UnusedIndexMinBytes, double StatementTimeoutSeconds, bool Analyze, bool Verify)
{
    /// <summary>The selection rule in words, as the review printed it.</summary>
    [JsonIgnore]
    public string Text => QueryReviewer.ThresholdText(new QueryReviewOptions { MinCalls = MinCalls, MinTotalMs = MinTotalMs, MinMeanMs = MinMeanMs });
}
