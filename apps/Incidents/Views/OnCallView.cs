namespace Incidents.Views;

/// <summary>Who is on call for a schedule at a time, and when the rotation next hands off.</summary>
public sealed record OnCallView(string Schedule, string TimeZone, string? User, string? Email, DateTimeOffset At, DateTimeOffset? NextHandOff, string? NextUser);
