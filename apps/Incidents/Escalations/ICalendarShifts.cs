using Ical.Net;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;

namespace Incidents.Escalations;

/// <summary>
/// Reads an on-call calendar exported from another tool (iCalendar, RFC 5545, through Ical.Net): every event, recurring ones
/// expanded, is a shift of the person it names, taken as an override of the schedule's rotation. The person is the first
/// attendee's e-mail address, else the summary, matched against the policy file's users by e-mail or by name.
/// </summary>
internal static class ICalendarShifts
{
    /// <summary>How far recurring events are expanded from the start of the window.</summary>
    public static readonly TimeSpan Horizon = TimeSpan.FromDays(400);

    /// <summary>The shifts starting before <paramref name="from"/> + <see cref="Horizon"/> and ending after <paramref name="from"/>; problems name the event.</summary>
    public static (List<ScheduleOverride> Shifts, List<string> Problems) Read(string text, IReadOnlyDictionary<string, OnCallUser> users, DateTimeOffset from)
    {
        ArgumentNullException.ThrowIfNull(users);
        var shifts = new List<ScheduleOverride>();
        var problems = new List<string>();
        Calendar? calendar;
        try
        {
            calendar = Calendar.Load(text);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException or NotSupportedException)
        {
            problems.Add($"it is not an iCalendar file: {ex.Message}");
            return (shifts, problems);
        }

        if (calendar is null)
        {
            problems.Add("it is not an iCalendar file (no VCALENDAR)");
            return (shifts, problems);
        }

        var byEmail = users.Values.ToDictionary(u => u.Email, u => u.Name, StringComparer.OrdinalIgnoreCase);
        var until = new CalDateTime((from + Horizon).UtcDateTime);
        foreach (var e in calendar.Events)
        {
            var what = $"event '{e.Summary}' ({e.Uid})";
            var person = Person(e);
            string? user = null;
            if (person is not null && byEmail.TryGetValue(person, out var byMail)) user = byMail;
            else if (person is not null && users.ContainsKey(person)) user = person;
            if (user is null)
            {
                problems.Add($"{what}: '{person ?? "(nobody)"}' is not a user's e-mail or name in users");
                continue;
            }

            if (e.DtStart is null)
            {
                problems.Add($"{what}: no DTSTART");
                continue;
            }

            foreach (var o in e.GetOccurrences(new CalDateTime(from.UtcDateTime - TimeSpan.FromDays(31))).TakeWhileBefore(until))
            {
                var start = new DateTimeOffset(o.Period.StartTime.AsUtc, TimeSpan.Zero);
                var end = o.Period.EffectiveEndTime is { } t ? new DateTimeOffset(t.AsUtc, TimeSpan.Zero) : start;
                if (end <= start)
                {
                    problems.Add($"{what}: a shift needs an end after its start (DTEND or DURATION)");
                    break;
                }

                if (end > from) shifts.Add(new ScheduleOverride(user, start, end));
            }
        }

        return (shifts, problems);
    }

    private static string? Person(CalendarEvent e)
    {
        var attendee = e.Attendees.FirstOrDefault()?.Value;
        if (attendee is not null)
        {
            var s = attendee.ToString();
            return s.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase) ? s[7..] : s;
        }

        return string.IsNullOrWhiteSpace(e.Summary) ? null : e.Summary.Trim();
    }
}
