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

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Expiry < 2 * HeartbeatInterval)
            yield return new ValidationResult($"Lifeguard:Fleet:Expiry ({Expiry}) must be at least twice Lifeguard:Fleet:HeartbeatInterval ({HeartbeatInterval}): one late heartbeat must not drop a live instance.",
                [nameof(Expiry)]);
    }
}
