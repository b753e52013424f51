namespace Lifeguard.Cli.Load;

/// <summary>One second of a load run, by completion time (second 0 starts when the load starts).</summary>
internal sealed record LoadSecond(int T, long Requests, long Errors, double P50Ms, double P99Ms);
