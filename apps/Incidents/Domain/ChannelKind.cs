namespace Incidents.Domain;

/// <summary>How a channel delivers.</summary>
public enum ChannelKind
{
    /// <summary>POST of a JSON document.</summary>
    Webhook,
    /// <summary>POST of a Slack incoming-webhook payload (<c>text</c> + <c>blocks</c>).</summary>
    Slack,
    /// <summary>An e-mail through the configured SMTP server.</summary>
    Email,
}
