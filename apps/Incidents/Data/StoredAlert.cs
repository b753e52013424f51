using Incidents.Domain;

namespace Incidents.Data;

/// <summary>One alert as stored for an incident (labels and annotations as JSON).</summary>
internal sealed record StoredAlert(string Fingerprint, AlertStatus Status, DateTime StartsAt, DateTime? EndsAt, string Labels, string Annotations, string? GeneratorUrl);
