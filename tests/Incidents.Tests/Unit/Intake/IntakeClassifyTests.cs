using Incidents.Data;
using Incidents.Domain;
using Incidents.Intake;
using Lifeguard.Contracts.Alertmanager;

namespace Incidents.Tests.Unit;

public sealed class IntakeClassifyTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    private static AlertmanagerAlert A(string fp, string status, DateTimeOffset starts) => new() { Fingerprint = fp, Status = status, StartsAt = starts };

    private static Dictionary<string, AlertRow> Known(params (string Fp, string Status, DateTimeOffset Starts)[] rows) =>
        rows.ToDictionary(r => r.Fp, r => new AlertRow { Fingerprint = r.Fp, Status = SqlNames.Read<AlertStatus>(r.Status), StartsAt = IntakeService.Microseconds(r.Starts) });

    [Fact]
    public void Classify_ResendOfFiringAlert_ChangesNothing()
    {
        var plan = IntakeService.Classify([A("a", "firing", T0.AddTicks(7))], Known(("a", "firing", T0)), false);
        plan.Changed.ShouldBeFalse(); // nanoseconds beyond what PostgreSQL keeps do not make a re-fire
    }

    [Fact]
    public void Classify_RefireWithLaterStartsAt_IsFiring()
    {
        var plan = IntakeService.Classify([A("a", "firing", T0.AddMinutes(5))], Known(("a", "resolved", T0)), false);
        plan.Firing.Count.ShouldBe(1);
    }

    [Fact]
    public void Classify_StaleResolvedBodyAfterRefire_ResolvesNothing()
    {
        // an old group-resolved notification retried after the alert fired again with a later startsAt
        var plan = IntakeService.Classify([A("a", "resolved", T0)], Known(("a", "firing", T0.AddMinutes(5)), ("b", "firing", T0.AddMinutes(5))), true);
        plan.Changed.ShouldBeFalse();
    }

    [Fact]
    public void Classify_GroupResolvedWithUnlistedFiringAlerts_ResolvesThemToo()
    {
        var plan = IntakeService.Classify([A("a", "resolved", T0)], Known(("a", "firing", T0), ("b", "firing", T0)), true);
        plan.Resolved.Select(r => r.Fingerprint).ShouldBe(["a"]);
        plan.ResolvedUnlisted.ShouldBe(["b"]);
    }
}
