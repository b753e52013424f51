using System.Text.Json;
using Incidents.Evidence;

namespace Incidents.Tests.Unit;

public sealed class DiagnosisSummaryTests
{
    private static DiagnosisSummary Read(string json) => DiagnosisSummary.From(JsonDocument.Parse(json).RootElement);

    [Fact]
    public void From_LifeguardDiagnosis_ReadsEveryField()
    {
        var d = Read("""{"cause":"slow_queries","summary":"s","evidence":["a","b"],"remedy":"r","avoid":"x","since":"2026-12-01T08:00:00+00:00","confidence":0.8,"consequences":["database_cpu"],"signals":{"inUse":2}}""");
        d.Cause.ShouldBe("slow_queries");
        d.Evidence.ShouldBe(["a", "b"]);
        d.Consequences.ShouldBe(["database_cpu"]);
        d.Onset.ShouldBe(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
        d.Confidence.ShouldBe(0.8);
    }

    [Fact]
    public void Onset_OfHealthyOrUndated_IsNone()
    {
        // healthy's since is when things were last fine, not when the fault began
        Read("""{"cause":"healthy","summary":"ok","since":"2026-12-01T08:00:00Z"}""").Onset.ShouldBeNull();
        Read("""{"cause":"pool_too_small","since":"0001-01-01T00:00:00+00:00"}""").Onset.ShouldBeNull();
    }

    [Fact]
    public void From_EmptyRemedy_IsNoRemedy() => Read("""{"cause":"unknown","remedy":"","avoid":""}""").Remedy.ShouldBeNull();
}
