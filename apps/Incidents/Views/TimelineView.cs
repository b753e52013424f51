namespace Incidents.Views;

/// <summary>One timeline event.</summary>
public sealed record TimelineView(long Id, DateTimeOffset At, string Kind, string Actor, string Message);
