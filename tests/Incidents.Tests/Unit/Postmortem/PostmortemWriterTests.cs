using System.Text.Json;
using Incidents.Postmortem;
using Incidents.Views;

namespace Incidents.Tests.Unit;

public sealed class PostmortemWriterTests
{
    private static readonly DateTimeOffset T0 = new(2026, 2, 10, 15, 45, 0, TimeSpan.Zero);

    private static IncidentView Incident(string? diagnosis, DateTimeOffset? resolved) => new(
        7, resolved is null ? "triggered" : "resolved", "Pool p is saturated", "g", "lifeguard-page",
        new Dictionary<string, string> { ["severity"] = "page" }, new Dictionary<string, string>(),
        T0, null, T0.AddSeconds(12), T0.AddMinutes(2), "ana", resolved, resolved is null ? null : "alertmanager",
        12, 108, resolved is null ? null : (resolved.Value - T0).TotalSeconds, 0, 0, diagnosis is null ? "none" : "done",
        diagnosis is null ? null : JsonDocument.Parse(diagnosis).RootElement.Clone(),
        [new AlertView("fp", "resolved", T0, resolved, new Dictionary<string, string> { ["alertname"] = "LifeguardPoolSaturated", ["pool"] = "p" },
            new Dictionary<string, string> { ["description"] = "6 requests waiting" }, null)],
        [new TimelineView(1, T0.AddSeconds(12), "opened", "alertmanager", "Opened by Alertmanager"),
         new TimelineView(2, T0.AddMinutes(2), "acknowledged", "ana", "Acknowledged by ana (ui).")]);

    [Fact]
    public void Write_ResolvedWithDiagnosis_FillsEverySectionFromTheDiagnosis()
    {
        var md = PostmortemWriter.Write(Incident("""{"cause":"slow_queries","summary":"3 statements 8x slower","evidence":["queryid 42: 2 ms -> 16 ms"],"remedy":"Add the index on orders(created_at).","avoid":"Do not grow the pool."}""",
            T0.AddHours(2).AddMinutes(15)), T0.AddDays(1));
        md.ShouldStartWith("# POSTMORTEM: POOL P IS SATURATED");
        md.ShouldContain("**Duration**: 2 hours 15 minutes, from 15:45:00 to 18:00:00 UTC on February 10, 2026");
        md.ShouldContain("**Impact**: 1 alert(s) fired (LifeguardPoolSaturated) for pool p, severity page. 6 requests waiting");
        md.ShouldContain("**Root Cause**: Slow queries held the pool's connections (`slow_queries`): 3 statements 8x slower");
        md.ShouldContain("15:45:12: Opened by Alertmanager");
        md.ShouldContain("- queryid 42: 2 ms -> 16 ms");
        md.ShouldContain("What would make it worse: Do not grow the pool.");
        md.ShouldContain("MTTD 12 seconds, MTTA 1 minutes 48 seconds, MTTR 2 hours 15 minutes");
        md.ShouldContain("- [ ] Add the index on orders(created_at).");
        md.ShouldContain("lifeguard review");
    }

    [Fact]
    public void Write_OpenWithoutDiagnosis_SaysSoInsteadOfInventingACause()
    {
        var md = PostmortemWriter.Write(Incident(null, null), T0.AddMinutes(10));
        md.ShouldContain("to now (still open)");
        md.ShouldContain("Not determined automatically");
        md.ShouldContain("The incident is not resolved yet.");
        md.ShouldContain("MTTR n/a");
    }
}
