using Lifeguard.Kit;

namespace Incidents;

/// <summary>
/// Settings that no longer exist and would otherwise be ignored without a word: a deployment that still sets one is
/// told what replaced it, at start, instead of silently running without the feature it thinks it configured.
/// </summary>
internal static class RetiredSettings
{
    private static readonly (string Key, string Replacement)[] Retired =
    [
        ("Incidents:Evidence:DiagnosisUrl", "Incidents:Evidence:Targets:<name>=http://host:port (an alert's instance label only selects a configured target)"),
        ("Incidents:Evidence:AllowedHosts", "Incidents:Evidence:Targets:<name>=http://host:port"),
        ("Incidents:MaxWebhookBytes", "Incidents:Intake:MaxBodyBytes"),
        ("Incidents:LoginPermitLimit", "Incidents:Login:PermitLimit"),
    ];

    /// <summary>Throws a startup error naming the first retired setting that is set.</summary>
    public static void Refuse(IConfiguration configuration)
    {
        foreach (var (key, replacement) in Retired)
        {
            if (configuration.GetSection(key).Exists())
            {
                throw new StartupConfigurationException($"{key} is no longer supported: use {replacement}.");
            }
        }
    }
}
