namespace Incidents.Escalations;

/// <summary>A route: every label in <see cref="Match"/> must equal the incident's; the first matching route picks the policy.</summary>
/// <param name="Match">Label name → required value.</param>
/// <param name="Policy">The policy used.</param>
/// <param name="Line">1-based line in the file.</param>
public sealed record EscalationRoute(IReadOnlyDictionary<string, string> Match, string Policy, int Line)
{
    /// <summary>True when every label of the route has the same value on the incident.</summary>
    public bool Matches(IReadOnlyDictionary<string, string> labels) =>
        Match.All(m => labels.TryGetValue(m.Key, out var v) && string.Equals(v, m.Value, StringComparison.Ordinal));
}
