namespace Incidents.Escalations;

/// <summary>
/// A rotation of users in a time zone: the first user's shift starts on <see cref="StartDate"/> at <see cref="HandOff"/> local
/// time, and each hand-off happens at that wall-clock time every day or week, whatever the UTC offset is that day. A hand-off
/// time that does not exist (spring-forward gap) happens when the clocks jump, i.e. at the first valid instant after it; one
/// that exists twice (fall-back overlap) happens at its first occurrence, so nobody is handed the pager twice in one night.
/// </summary>
public sealed class OnCallSchedule
{
    /// <summary>Creates a schedule.</summary>
    public OnCallSchedule(string name, TimeZoneInfo zone, Rotation rotation, DateOnly startDate, TimeOnly handOff, IReadOnlyList<string> users, IReadOnlyList<ScheduleOverride> overrides)
    {
        ArgumentNullException.ThrowIfNull(users);
        ArgumentOutOfRangeException.ThrowIfZero(users.Count);
        Name = name;
        Zone = zone;
        Rotation = rotation;
        StartDate = startDate;
        HandOff = handOff;
        Users = users;
        Overrides = overrides;
    }

    /// <summary>Its name in the file.</summary>
    public string Name { get; }

    /// <summary>The time zone hand-offs are expressed in.</summary>
    public TimeZoneInfo Zone { get; }

    /// <summary>Daily or weekly.</summary>
    public Rotation Rotation { get; }

    /// <summary>The local date of the first hand-off.</summary>
    public DateOnly StartDate { get; }

    /// <summary>The local wall-clock time of every hand-off.</summary>
    public TimeOnly HandOff { get; }

    /// <summary>Users in rotation order.</summary>
    public IReadOnlyList<string> Users { get; }

    /// <summary>Overrides; a later one in the list wins where two overlap.</summary>
    public IReadOnlyList<ScheduleOverride> Overrides { get; }

    private int PeriodDays => Rotation == Rotation.Daily ? 1 : 7;

    /// <summary>Who is on call at <paramref name="at"/>; null before the schedule starts.</summary>
    public string? OnCallAt(DateTimeOffset at)
    {
        for (var i = Overrides.Count - 1; i >= 0; i--)
        {
            if (Overrides[i].From <= at && at < Overrides[i].To) return Overrides[i].User;
        }

        var shift = ShiftIndexAt(at);
        return shift < 0 ? null : Users[(int)(shift % Users.Count)];
    }

    /// <summary>The UTC instant of hand-off number <paramref name="k"/> (0 = the schedule's start).</summary>
    public DateTimeOffset HandOffAt(long k)
    {
        var local = StartDate.AddDays((int)(k * PeriodDays)).ToDateTime(HandOff, DateTimeKind.Unspecified);
        if (Zone.IsInvalidTime(local))
        {
            // in the gap: the hand-off happens when the clocks jump, the first minute that exists after it (hand-offs are
            // whole minutes and tz database gaps start on whole minutes, so this is the jump itself)
            var probe = local;
            while (Zone.IsInvalidTime(probe)) probe = probe.AddMinutes(1);
            return new DateTimeOffset(probe, Zone.GetUtcOffset(probe)).ToUniversalTime();
        }

        if (Zone.IsAmbiguousTime(local))
        {
            // twice that night: the first occurrence is the one with the larger (daylight) offset
            var offset = Zone.GetAmbiguousTimeOffsets(local).Max();
            return new DateTimeOffset(local, offset).ToUniversalTime();
        }

        return new DateTimeOffset(local, Zone.GetUtcOffset(local)).ToUniversalTime();
    }

    /// <summary>The number of the shift running at <paramref name="at"/>; -1 before the first hand-off.</summary>
    public long ShiftIndexAt(DateTimeOffset at)
    {
        var localDate = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, Zone).DateTime);
        var guess = (long)Math.Floor((localDate.DayNumber - StartDate.DayNumber) / (double)PeriodDays);
        // the guess is off by at most one either way (hand-off later or earlier in the day than `at`)
        for (var k = guess + 1; k >= guess - 1; k--)
        {
            if (HandOffAt(k) <= at) return k < 0 ? -1 : k;
        }

        return -1;
    }
}
