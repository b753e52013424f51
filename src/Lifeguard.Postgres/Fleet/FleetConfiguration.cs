using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Lifeguard.Postgres.Fleet;

/// <summary>Reads <c>Lifeguard:Fleet</c> (Enabled, HeartbeatInterval, Expiry) from the app's configuration into the
/// options; a value that does not parse is a start-up error naming its key.</summary>
internal static class FleetConfiguration
{
    public const string Section = "Lifeguard:Fleet";

    public static void Apply(IConfiguration? configuration, LifeguardFleetOptions options)
    {
        if (configuration is null) return;
        var section = configuration.GetSection(Section);
        if (section["Enabled"] is { } enabled)
            options.Enabled = bool.TryParse(enabled, out var on) ? on : throw Invalid("Enabled", enabled, "true or false");
        if (section["HeartbeatInterval"] is { } interval)
            options.HeartbeatInterval = TimeSpan.TryParse(interval, CultureInfo.InvariantCulture, out var t) ? t : throw Invalid("HeartbeatInterval", interval, "a duration such as 00:00:02");
        if (section["Expiry"] is { } expiry)
            options.Expiry = TimeSpan.TryParse(expiry, CultureInfo.InvariantCulture, out var e) ? e : throw Invalid("Expiry", expiry, "a duration such as 00:00:10");
    }

    private static InvalidOperationException Invalid(string key, string value, string expected) =>
        new($"{Section}:{key} is '{value}': expected {expected}.");
}
