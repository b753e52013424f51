using Lifeguard.Cli.Drill.Engine;

namespace Lifeguard.Cli.Tests.Drill.Engine;

public sealed class DrillPhaseKindsTests
{
    [Fact]
    public void WireName_EveryKind_IsTheReportsFixedPhaseName() =>
        Enum.GetValues<DrillPhaseKind>().Select(k => k.WireName()).ShouldBe(
            ["normal", "incident", "incident+admission", "fixed", "fault", "surge", "surge+admission", "bigger-pool", "mitigated", "held", "held-mitigated"]);

    [Fact]
    public void NarratedEverySecond_OnlyTheIncidentsPhases() =>
        Enum.GetValues<DrillPhaseKind>().Where(k => k.NarratedEverySecond()).ShouldBe([DrillPhaseKind.Incident, DrillPhaseKind.IncidentAdmission]);
}
