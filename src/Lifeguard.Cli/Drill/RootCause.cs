namespace Lifeguard.Cli.Drill;

/// <summary>The drill's root cause: the site's own diagnosis (one of the DiagnosisCauses) when users were first affected.</summary>
internal sealed record RootCause(string Kind, string Summary, IReadOnlyList<string> Evidence, string Remedy = "", string Avoid = "",
    IReadOnlyList<string>? Consequences = null);
