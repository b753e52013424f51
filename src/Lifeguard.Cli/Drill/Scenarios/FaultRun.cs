namespace Lifeguard.Cli.Drill.Scenarios;

/// <summary>What a fault scenario measured and did, for its report.</summary>
internal sealed record FaultRun(
    string Fault,
    string FaultDescription,
    string ExpectedCause,
    DrillPhase Normal,
    DrillPhase FaultPhase,
    IReadOnlyList<DrillPhase> DemoPhases,
    DrillComparison? Comparison,
    double DemoS,
    DrillPhase Verify,
    double FaultStart,
    RootCause? Cause,
    double? DetectedAt,
    double? CauseAt,
    DrillMitigation Mitigation,
    bool Recovered)
{
    /// <summary>The pooler drill's second case (its pool held by a report job); null for the other faults.</summary>
    public PoolerHeldRun? Held { get; init; }
}
