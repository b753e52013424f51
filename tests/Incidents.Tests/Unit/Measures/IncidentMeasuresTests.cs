using Incidents.Measures;

namespace Incidents.Tests.Unit;

public sealed class IncidentMeasuresTests
{
    private static readonly DateTime Start = new(2026, 2, 10, 15, 45, 0, DateTimeKind.Utc);

    [Fact]
    public void From_DiagnosisSinceKnown_MttdStartsAtTheOnsetAndMttrAtTheAlert()
    {
        var m = IncidentMeasures.From(Start, Start.AddSeconds(-40), Start.AddSeconds(12), Start.AddMinutes(2), Start.AddHours(2));
        m.MttdSeconds.ShouldBe(52);
        m.MttaSeconds.ShouldBe(108);
        m.MttrSeconds.ShouldBe(7200);
    }

    [Fact]
    public void From_OpenAndUnacknowledged_HasOnlyMttd()
    {
        var m = IncidentMeasures.From(Start, null, Start.AddSeconds(3), null, null);
        m.MttdSeconds.ShouldBe(3);
        m.MttaSeconds.ShouldBeNull();
        m.MttrSeconds.ShouldBeNull();
    }

    [Fact]
    public void From_ClockSkewMakesAStepNegative_ClampsToZero() =>
        IncidentMeasures.From(Start, null, Start.AddSeconds(-1), null, null).MttdSeconds.ShouldBe(0);
}
