using System.Text;
using System.Text.Json.Nodes;

namespace Incidents.Escalations;

/// <summary>The message of a notification: a generic JSON document, a Slack incoming-webhook payload, or e-mail subject and text.</summary>
public static class MessageTemplate
{
    /// <summary>The e-mail subject (and the first line elsewhere).</summary>
    public static string Subject(Notification n)
    {
        ArgumentNullException.ThrowIfNull(n);
        return $"[Lifeguard #{n.IncidentId}] {n.Title}";
    }

    /// <summary>Plain text: the diagnosis first, then the link that acknowledges.</summary>
    public static string Text(Notification n)
    {
        ArgumentNullException.ThrowIfNull(n);
        var sb = new StringBuilder();
        sb.Append("Incident #").Append(n.IncidentId).Append(" is ").Append(n.Status).Append(": ").AppendLine(n.Title);
        sb.Append("Diagnosis: ").AppendLine(n.Cause is null ? "not available yet" : n.Cause + (n.Summary is null ? "" : " - " + n.Summary));
        if (n.Remedy is not null) sb.Append("Do first: ").AppendLine(n.Remedy);
        if (n.Labels.Count > 0) sb.Append("Labels: ").AppendLine(string.Join(", ", n.Labels.Select(l => $"{l.Key}={l.Value}")));
        sb.Append("Acknowledge: ").AppendLine(n.IncidentUrl.ToString());
        sb.Append("(escalation policy ").Append(n.Policy).Append(", step ").Append(n.Step).AppendLine(")");
        return sb.ToString();
    }

    /// <summary>The generic webhook body.</summary>
    public static JsonObject Webhook(Notification n)
    {
        ArgumentNullException.ThrowIfNull(n);
        var labels = new JsonObject();
        foreach (var (k, v) in n.Labels) labels[k] = v;
        return new JsonObject
        {
            ["incident_id"] = n.IncidentId,
            ["title"] = n.Title,
            ["status"] = n.Status,
            ["labels"] = labels,
            ["policy"] = n.Policy,
            ["step"] = n.Step,
            ["delivery_key"] = n.DeliveryKey,
            ["diagnosis"] = n.Cause is null ? null : new JsonObject { ["cause"] = n.Cause, ["summary"] = n.Summary, ["remedy"] = n.Remedy },
            ["incident_url"] = n.IncidentUrl.ToString(),
            ["acknowledge_url"] = n.IncidentUrl.ToString(),
            ["text"] = Text(n),
        };
    }

    /// <summary>A Slack incoming-webhook payload: <c>text</c> (the fallback) and blocks with an Acknowledge button linking to the incident.</summary>
    public static JsonObject Slack(Notification n)
    {
        ArgumentNullException.ThrowIfNull(n);
        // Slack parses mrkdwn in `text` and in sections: <!channel>, <url|label> and @mentions in a title, a label or a
        // diagnosis (a client's application_name ends up there) must arrive as text, so & < > are escaped as Slack asks
        var diagnosis = n.Cause is null ? "_diagnosis not available yet_" : $"*Diagnosis:* `{SlackText(n.Cause)}`{(n.Summary is null ? "" : " " + SlackText(n.Summary))}";
        return new JsonObject
        {
            ["text"] = $"{SlackText(Subject(n))} ({n.Status})",
            ["blocks"] = new JsonArray(
                new JsonObject { ["type"] = "header", ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = Subject(n) } },
                new JsonObject { ["type"] = "section", ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = diagnosis + (n.Remedy is null ? "" : $"\n*Do first:* {SlackText(n.Remedy)}") } },
                new JsonObject
                {
                    ["type"] = "actions",
                    ["elements"] = new JsonArray(new JsonObject
                    {
                        ["type"] = "button", ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = "Acknowledge" },
                        ["url"] = n.IncidentUrl.ToString(), ["style"] = "danger",
                    }),
                }),
        };
    }

    /// <summary>Text for Slack's mrkdwn: &amp; &lt; &gt; as entities (no mention, link or channel ping can be formed), on one line.</summary>
    internal static string SlackText(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal)
            .Replace('\n', ' ').Replace('\r', ' ');
}
