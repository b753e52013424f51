using Incidents.Domain;
using Lifeguard.Kit;

namespace Incidents.Escalations;

/// <summary>Reads the policy file named by the options at start (a bad file stops the service with its errors) and applies channel URL overrides.</summary>
internal static class EscalationConfigLoader
{
    public static EscalationConfig Load(EscalationOptions options, IConfiguration configuration)
    {
        if (string.IsNullOrWhiteSpace(options.PolicyFile)) return EscalationConfig.Empty;
        EscalationConfig config;
        try
        {
            config = PolicyFile.Load(options.PolicyFile);
        }
        catch (PolicyFileException ex)
        {
            throw new StartupConfigurationException("the escalation policy file is invalid:" + Environment.NewLine + ex.Message);
        }
        catch (IOException ex)
        {
            throw new StartupConfigurationException($"the escalation policy file {options.PolicyFile} cannot be read: {ex.Message}");
        }

        // Incidents:Channels:NAME:Url replaces a channel's URL, so deployments keep secrets (Slack hook URLs) out of the file
        var channels = config.Channels.ToDictionary(c => c.Key, c =>
        {
            var url = configuration[$"Incidents:Channels:{c.Key}:Url"];
            if (c.Value.Kind == ChannelKind.Email) return c.Value;
            if (string.IsNullOrWhiteSpace(url))
            {
                return c.Value.Url is not null ? c.Value
                    : throw new StartupConfigurationException($"channel '{c.Key}' has no URL: give it in the policy file or, to keep it out of the file, in Incidents:Channels:{c.Key}:Url");
            }

            if (!Uri.TryCreate(url, UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https"))
            {
                throw new StartupConfigurationException($"Incidents:Channels:{c.Key}:Url is not an absolute http(s) URL");
            }

            return c.Value with { Url = u };
        }, StringComparer.Ordinal);
        return new EscalationConfig(config.Users, channels, config.Schedules, config.Policies, config.Routes, config.DefaultPolicy);
    }
}
