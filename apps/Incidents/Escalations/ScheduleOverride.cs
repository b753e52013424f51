namespace Incidents.Escalations;

/// <summary>Someone takes over a schedule from <see cref="From"/> (inclusive) to <see cref="To"/> (exclusive), both UTC instants.</summary>
/// <param name="User">Who is on call instead.</param>
/// <param name="From">Start, UTC.</param>
/// <param name="To">End, UTC.</param>
public sealed record ScheduleOverride(string User, DateTimeOffset From, DateTimeOffset To);
