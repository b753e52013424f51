namespace Lifeguard.Cli.Drill;

/// <summary>
/// Runs of the same traffic side by side, each on its own website process, answering one question: does admission
/// control keep users out of the queue (pool, cpu), does a bigger pool help (network)?
/// </summary>
/// <param name="Kind">admission_replay (pool), admission_under_cpu (cpu), bigger_pool (network) or fleet_governor (fleet).</param>
/// <param name="Question">The question, in words.</param>
/// <param name="SlowThresholdS">What counts as slow in <see cref="DrillRun.ShareSlow"/>: 10 s, 5 s in the quick drill.</param>
/// <param name="Runs">The runs, the reference first.</param>
/// <param name="Finding">What the runs show, with their figures.</param>
/// <param name="Holds">Whether the figures show what the demonstration claims (admission replay: its goal, no slow request
/// and no failure other than 503 + Retry-After; cpu: the excess shed, no slow request, and in the full drill served pages faster than without
/// admission control; network: the bigger pool's p99 still outside the recovery bound).</param>
internal sealed record DrillComparison(string Kind, string Question, double SlowThresholdS, IReadOnlyList<DrillRun> Runs, string Finding, bool Holds)
{
    public const string AdmissionReplay = "admission_replay";
    public const string AdmissionUnderCpu = "admission_under_cpu";
    public const string BiggerPool = "bigger_pool";
    public const string FleetGovernor = "fleet_governor";
}

/// <summary>One run of a <see cref="DrillComparison"/>: what users saw, from one phase of the drill.</summary>
internal sealed record DrillRun(
    string Label,
    string Phase,
    int MaxPoolSize,
    double? AdmissionBudgetMs,
    double RateRps,
    double DurationS,
    long Requests,
    double ShareSlow,
    [property: System.Text.Json.Serialization.JsonPropertyName("share_over_10s")] double ShareOver10s,
    long RetryLater,
    double ShareRetryLater,
    double ServedP50Ms,
    double ServedP99Ms,
    double P99Ms,
    double RetryLaterP99Ms,
    long AdmissionRejections,
    long OtherErrors,
    double OtherErrorRate,
    double PoolWaitP99Ms)
{
    /// <summary>The run of a phase: other errors are the failures not answered 503 + Retry-After (client timeouts, 500s).</summary>
    public static DrillRun From(string label, DrillPhase p)
    {
        var other = p.Errors - p.RetryLater;
        return new DrillRun(
            label, p.Name, p.MaxPoolSize, p.AdmissionBudgetMs, p.RateRps, Math.Round(p.EndS - p.StartS, 1), p.Requests,
            p.ShareSlow, p.ShareOver10s, p.RetryLater, p.Requests == 0 ? 0 : Math.Round((double)p.RetryLater / p.Requests, 4),
            p.ServedP50Ms, p.ServedP99Ms, p.P99Ms, p.RetryLaterP99Ms, p.AdmissionRejections, other, p.Requests == 0 ? 0 : Math.Round((double)other / p.Requests, 4),
            p.PoolWaitP99Ms);
    }
}
