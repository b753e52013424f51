using Incidents.Escalations;

namespace Incidents.Tests.Unit;

/// <summary>A schedule's `ical:` file: its events (recurring ones expanded, across a DST change) are shifts that override the rotation.</summary>
public sealed class ICalendarScheduleTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ical-").FullName;
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static DateTimeOffset Utc(string s) => DateTimeOffset.Parse(s, System.Globalization.CultureInfo.InvariantCulture);

    private string Write(string ics)
    {
        File.WriteAllText(Path.Combine(_dir, "oncall.ics"), ics.ReplaceLineEndings("\r\n"));
        var policy = Path.Combine(_dir, "escalation.yaml");
        File.WriteAllText(policy, """
            users:
              ana: { email: ana@example.org }
              ben: { email: ben@example.org }
              carl: { email: carl@example.org }
            schedules:
              primary:
                time_zone: Europe/Berlin
                rotation: daily
                start: 2026-01-01
                hand_off: "09:00"
                users: [ana]
                ical: oncall.ics
                overrides: [{ user: carl, from: "2026-03-23T10:00Z", to: "2026-03-23T11:00Z" }]
            policies:
              page: { steps: [ { notify_schedule: primary } ] }
            default_policy: page
            """);
        return policy;
    }

    private const string Header = "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//oncall//EN\n";

    [Fact]
    public void OnCallAt_ICalShifts_WeeklyAcrossSpringForwardAndBySummary_OverrideTheRotation_FileOverridesWin()
    {
        var policy = Write(Header + """
            BEGIN:VEVENT
            UID:ben-weekly@test
            DTSTAMP:20260101T000000Z
            SUMMARY:Ben's week
            DTSTART;TZID=Europe/Berlin:20260323T090000
            DTEND;TZID=Europe/Berlin:20260324T090000
            RRULE:FREQ=WEEKLY;COUNT=3
            ATTENDEE:mailto:BEN@example.org
            END:VEVENT
            BEGIN:VEVENT
            UID:carl-lunch@test
            DTSTAMP:20260101T000000Z
            SUMMARY:carl
            DTSTART:20260325T120000Z
            DTEND:20260325T130000Z
            END:VEVENT
            END:VCALENDAR
            """);

        var s = PolicyFile.Load(policy, Now).Schedules["primary"];

        s.OnCallAt(Utc("2026-03-23T07:59:00Z")).ShouldBe("ana");   // 08:59 CET: the rotation
        s.OnCallAt(Utc("2026-03-23T08:00:00Z")).ShouldBe("ben");   // 09:00 CET: ben's shift from the calendar
        s.OnCallAt(Utc("2026-03-23T10:30:00Z")).ShouldBe("carl");  // the policy file's own override wins
        s.OnCallAt(Utc("2026-03-24T08:00:00Z")).ShouldBe("ana");   // ben's shift ended at 09:00 CET
        s.OnCallAt(Utc("2026-03-25T12:30:00Z")).ShouldBe("carl");  // an event whose summary names a user
        // after the spring-forward night the weekly shift still starts at 09:00 local, now 07:00 UTC
        s.OnCallAt(Utc("2026-03-30T06:59:00Z")).ShouldBe("ana");
        s.OnCallAt(Utc("2026-03-30T07:00:00Z")).ShouldBe("ben");
        s.OnCallAt(Utc("2026-04-06T07:30:00Z")).ShouldBe("ben");   // the third and last occurrence
        s.OnCallAt(Utc("2026-04-13T07:30:00Z")).ShouldBe("ana");   // COUNT=3: no fourth
    }

    [Fact]
    public void Load_ICalEventNamingNobodyKnown_FailsNamingTheLineAndTheEvent()
    {
        var policy = Write(Header + """
            BEGIN:VEVENT
            UID:x1@test
            DTSTAMP:20260101T000000Z
            SUMMARY:Dora
            DTSTART:20260323T080000Z
            DTEND:20260324T080000Z
            END:VEVENT
            END:VCALENDAR
            """);

        var ex = Should.Throw<PolicyFileException>(() => PolicyFile.Load(policy, Now));
        ex.Message.ShouldContain($"{policy}:12: schedule 'primary': oncall.ics: event 'Dora' (x1@test): 'Dora' is not a user's e-mail or name in users");
    }

    [Fact]
    public void Load_ICalFileMissing_FailsNamingTheLine()
    {
        var policy = Write(Header + "END:VCALENDAR\n");
        File.Delete(Path.Combine(_dir, "oncall.ics"));

        var ex = Should.Throw<PolicyFileException>(() => PolicyFile.Load(policy, Now));
        ex.Message.ShouldContain($"{policy}:12: schedule 'primary': ical file ");
    }
}
