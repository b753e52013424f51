namespace Incidents.Views;

/// <summary>One notification of an escalation step and what became of it.</summary>
public sealed record DeliveryView(long Id, int Run, int Step, string Kind, string Target, string Status, int Attempts, string? LastError, DateTimeOffset CreatedAt, DateTimeOffset? SentAt);
