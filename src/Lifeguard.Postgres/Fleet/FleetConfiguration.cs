using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Lifeguard.Postgres.Fleet;

/// <summary>Reads <c>Lifeguard:Fleet</c> (Enabled, HeartbeatInterval, Expiry, Governor, GovernorReserve) from the app's configuration into the
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
        if (section["Governor"] is { } governor)
            options.Governor = bool.TryParse(governor, out var g) ? g : throw Invalid("Governor", governor, "true or false");
        if (section["GovernorReserve"] is { } reserve)
            options.GovernorReserve = int.TryParse(reserve, NumberStyles.Integer, CultureInfo.InvariantCulture, out var r) && r >= 0
                ? r : throw Invalid("GovernorReserve", reserve, "a whole number of slots, 0 or more");
    }

    private static InvalidOperationException Invalid(string key, string value, string expected) =>
        new($"{Section}:{key} is '{value}': expected {expected}.");
}
