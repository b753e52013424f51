namespace Lifeguard.Cli.Load;

/// <summary>A live reading of a load run for the terminal.</summary>
internal sealed record LoadProgress(LoadPhase Phase, int LoggedIn, int Users, TimeSpan Elapsed, long Requests, long Errors, double P50Ms, double P99Ms);
