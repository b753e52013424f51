using System.ComponentModel.DataAnnotations;

namespace Lifeguard.Postgres.Fleet;

/// <summary>The fleet registry (configuration <c>Lifeguard:Fleet</c>): each instance heartbeats its pool into
/// <c>lifeguard.fleet_instances</c> in the application's database, so every instance sees the fleet's budget.</summary>
public sealed class LifeguardFleetOptions : IValidatableObject
{
    /// <summary>Whether this instance joins the fleet registry (default true). A role that may not create the
    /// <c>lifeguard</c> schema gets one logged error and the fleet features stay off; the app is not affected.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often this instance heartbeats (default 2 s).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>An instance not heard from for this long has left the fleet (default 10 s; at least two heartbeats).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan Expiry { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Whether the fleet governor caps this instance's leases to its share of the fleet's budget (default false;
    /// needs <see cref="Enabled"/>). Every instance of the fleet should turn it on: one without it is counted at its
    /// whole Maximum Pool Size.</summary>
    public bool Governor { get; set; }

    /// <summary>Slots the governor leaves unshared (default 2): room for a joining instance's own connections (its registry
    /// and server reader) and for tools, so a newcomer is not refused before it can claim.</summary>
    [Range(0, 10_000)]
    public int GovernorReserve { get; set; } = 2;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Expiry < 2 * HeartbeatInterval)
            yield return new ValidationResult($"Lifeguard:Fleet:Expiry ({Expiry}) must be at least twice Lifeguard:Fleet:HeartbeatInterval ({HeartbeatInterval}): one late heartbeat must not drop a live instance.",
                [nameof(Expiry)]);
        if (Governor && !Enabled)
            yield return new ValidationResult("Lifeguard:Fleet:Governor needs the fleet registry: Lifeguard:Fleet:Enabled is false.", [nameof(Governor)]);
    }
}
