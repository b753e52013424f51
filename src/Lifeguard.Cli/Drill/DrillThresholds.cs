namespace Lifeguard.Cli.Drill;

/// <summary>The drill's judgements, each named once: what a symptom is, when a cause stands, what recovered means.</summary>
internal static class DrillThresholds
{
    /// <summary>A second with more errors than this share affects users.</summary>
    public const double SymptomErrorRate = 0.05;

    /// <summary>Seconds of symptoms running before the incident counts as confirmed (one slow second pages nobody).</summary>
    public const int SustainedSymptomSeconds = 3;

    /// <summary>Seconds the diagnoser must name the same cause running before the drill acts on it.</summary>
    public const int StableCauseSeconds = 2;

    /// <summary>A verification phase with more errors than this share has not recovered.</summary>
    public const double RecoveredErrorRate = 0.01;

    /// <summary>
    /// The highest p99 that counts as recovered: twice the normal p99, or the normal p99 plus 250 ms when that is more
    /// (a fast baseline's doubling is within a loaded machine's noise).
    /// </summary>
    public static double RecoveryBoundMs(double normalP99Ms) => Math.Max(2 * normalP99Ms, normalP99Ms + 250);

    /// <summary>Whether <paramref name="verify"/> recovered: requests served, few errors, p99 within <see cref="RecoveryBoundMs"/> of <paramref name="normal"/>.</summary>
    public static bool Recovered(DrillPhase verify, DrillPhase normal) =>
        verify.Requests > 0
        && verify.ErrorRate <= RecoveredErrorRate
        && verify.P99Ms <= RecoveryBoundMs(normal.P99Ms);
}
