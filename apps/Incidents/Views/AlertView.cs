namespace Incidents.Views;

/// <summary>One alert of an incident.</summary>
public sealed record AlertView(string Fingerprint, string Status, DateTimeOffset StartsAt, DateTimeOffset? EndsAt,
    IReadOnlyDictionary<string, string> Labels, IReadOnlyDictionary<string, string> Annotations, string? GeneratorUrl);
