using Lifeguard.Cli.Drill;

namespace Lifeguard.Cli.Tests.Drill;

public sealed class DrillThresholdsTests
{
    private static DrillPhase Phase(double p99, long requests = 100, double errorRate = 0) => new()
    {
        Name = "mitigated",
        P99Ms = p99,
        Requests = requests,
        ErrorRate = errorRate,
        ErrorsByKind = new SortedDictionary<string, long>(StringComparer.Ordinal),
    };

    [Theory]
    // A fast baseline: its doubling is within noise, so 250 ms above it is the bound.
    [InlineData(40, 290)]
    // A slow baseline: twice it.
    [InlineData(400, 800)]
    public void RecoveryBoundMs_Baseline_IsTwiceItOrItPlus250(double normal, double bound) =>
        DrillThresholds.RecoveryBoundMs(normal).ShouldBe(bound);

    [Theory]
    [InlineData(290, 100, 0, true)]
    [InlineData(291, 100, 0, false)]
    [InlineData(100, 0, 0, false)]
    [InlineData(100, 100, 0.02, false)]
    public void Recovered_VerificationAgainstNormal_NeedsRequestsFewErrorsAndP99WithinBound(double p99, long requests, double errors, bool recovered) =>
        DrillThresholds.Recovered(Phase(p99, requests, errors), Phase(40)).ShouldBe(recovered);
}
