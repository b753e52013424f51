namespace Lifeguard.Cli.Review;

/// <summary>The thresholds a review ran with, echoed so a report can be read on its own.</summary>
internal sealed record ReviewThresholds(int Top, long MinCalls, double MinMeanMs, double MinCostForAdvice, double MinCostDrop, double LargeTableRows, long UnusedIndexMinBytes, double StatementTimeoutSeconds, bool Analyze, bool Verify);
