using Incidents.Escalations;

namespace Incidents.Tests.Unit;

// Europe/Berlin 2026: clocks jump 02:00 CET → 03:00 CEST on 29 March (01:00 UTC) and fall back 03:00 CEST → 02:00 CET on
// 25 October (01:00 UTC).
public sealed class OnCallScheduleTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    private static OnCallSchedule Daily(string start, string handOff, params ScheduleOverride[] overrides) =>
        new("s", Berlin, Rotation.Daily, DateOnly.Parse(start, System.Globalization.CultureInfo.InvariantCulture),
            TimeOnly.Parse(handOff, System.Globalization.CultureInfo.InvariantCulture), ["ana", "ben"], overrides);

    private static DateTimeOffset Utc(string s) => DateTimeOffset.Parse(s, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void OnCallAt_SpringForwardNightHandOffInTheGap_HandsOffWhenTheClocksJump()
    {
        var s = Daily("2026-03-01", "02:30"); // 29 March is shift 28 (ana); 02:30 does not exist that night
        s.HandOffAt(28).ShouldBe(Utc("2026-03-29T01:00:00Z"));
        s.OnCallAt(Utc("2026-03-29T00:59:59Z")).ShouldBe("ben");
        s.OnCallAt(Utc("2026-03-29T01:00:00Z")).ShouldBe("ana");
        // the next night 02:30 exists again, now at +02:00
        s.HandOffAt(29).ShouldBe(Utc("2026-03-30T00:30:00Z"));
        s.OnCallAt(Utc("2026-03-30T00:29:00Z")).ShouldBe("ana");
        s.OnCallAt(Utc("2026-03-30T00:30:00Z")).ShouldBe("ben");
    }

    [Fact]
    public void OnCallAt_FallBackNightHandOffTwice_HandsOffOnceAtTheFirst()
    {
        var s = Daily("2026-10-01", "02:30"); // 25 October is shift 24 (ana); 02:30 happens twice that night
        s.HandOffAt(24).ShouldBe(Utc("2026-10-25T00:30:00Z"));
        s.OnCallAt(Utc("2026-10-25T00:29:59Z")).ShouldBe("ben");
        s.OnCallAt(Utc("2026-10-25T00:30:00Z")).ShouldBe("ana");
        s.OnCallAt(Utc("2026-10-25T01:30:00Z")).ShouldBe("ana"); // the second 02:30: no second hand-off
        s.OnCallAt(Utc("2026-10-26T01:29:00Z")).ShouldBe("ana"); // 02:29 CET next day
        s.OnCallAt(Utc("2026-10-26T01:30:00Z")).ShouldBe("ben");
        (s.HandOffAt(25) - s.HandOffAt(24)).ShouldBe(TimeSpan.FromHours(25));
    }

    [Fact]
    public void OnCallAt_WeeklyAcrossSpringForward_KeepsTheLocalHandOffTime()
    {
        var s = new OnCallSchedule("w", Berlin, Rotation.Weekly, new DateOnly(2026, 3, 23), new TimeOnly(9, 0), ["ana", "ben"], []);
        s.HandOffAt(0).ShouldBe(Utc("2026-03-23T08:00:00Z")); // 09:00 CET
        s.HandOffAt(1).ShouldBe(Utc("2026-03-30T07:00:00Z")); // 09:00 CEST
        s.OnCallAt(Utc("2026-03-30T06:59:00Z")).ShouldBe("ana");
        s.OnCallAt(Utc("2026-03-30T07:00:00Z")).ShouldBe("ben");
        s.OnCallAt(Utc("2026-04-06T07:00:00Z")).ShouldBe("ana");
    }

    [Fact]
    public void OnCallAt_Override_WinsWhileItLasts_LaterOverrideFirst()
    {
        var s = Daily("2026-03-01", "09:00",
            new ScheduleOverride("ana", Utc("2026-03-02T10:00:00Z"), Utc("2026-03-02T12:00:00Z")),
            new ScheduleOverride("ben", Utc("2026-03-02T11:00:00Z"), Utc("2026-03-02T11:30:00Z")));
        s.OnCallAt(Utc("2026-03-02T09:59:00Z")).ShouldBe("ben"); // 2 March is shift 1, ben's
        s.OnCallAt(Utc("2026-03-02T10:30:00Z")).ShouldBe("ana");
        s.OnCallAt(Utc("2026-03-02T11:10:00Z")).ShouldBe("ben");
        s.OnCallAt(Utc("2026-03-02T11:40:00Z")).ShouldBe("ana");
        s.OnCallAt(Utc("2026-03-02T12:00:00Z")).ShouldBe("ben");
    }

    [Fact]
    public void OnCallAt_BeforeTheStart_IsNobody() =>
        Daily("2026-03-01", "09:00").OnCallAt(Utc("2026-03-01T07:59:00Z")).ShouldBeNull();
}
