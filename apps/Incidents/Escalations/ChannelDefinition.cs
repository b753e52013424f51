using Incidents.Domain;

namespace Incidents.Escalations;

/// <summary>A named channel: a webhook or Slack URL, or e-mail addresses.</summary>
/// <param name="Name">Its name in the file.</param>
/// <param name="Kind">How it delivers.</param>
/// <param name="Url">The URL (webhook, Slack); overridable by <c>Incidents:Channels:NAME:Url</c>.</param>
/// <param name="To">Recipients (e-mail).</param>
/// <param name="Line">1-based line in the file.</param>
public sealed record ChannelDefinition(string Name, ChannelKind Kind, Uri? Url, IReadOnlyList<string> To, int Line);
