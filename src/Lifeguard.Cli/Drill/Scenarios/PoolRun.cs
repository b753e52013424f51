using Lifeguard.Sizing;

namespace Lifeguard.Cli.Drill.Scenarios;

/// <summary>What the pool scenario measured and decided, for its report.</summary>
internal sealed record PoolRun(
    double PeakRate,
    DrillPhase Normal,
    DrillPhase Incident,
    DrillPhase? Replay,
    double ReplayS,
    DrillPhase Fixed,
    double IncidentStart,
    RootCause? Cause,
    double? DetectedAt,
    DrillSizingInput SizingInput,
    PoolSizingRecommendation Advice,
    bool Recovered);
