namespace Lifeguard.Configuration;

/// <summary>One problem in a pool configuration, with the fix in one line.</summary>
/// <param name="RuleId">Stable rule id, e.g. LG004 (see <see cref="PoolRules"/>).</param>
/// <param name="Severity">Error or warning.</param>
/// <param name="Subject">Which connection string (its name or path), or "fleet".</param>
/// <param name="Message">What is wrong.</param>
/// <param name="Fix">What to change, in one line.</param>
public sealed record PoolFinding(string RuleId, FindingSeverity Severity, string Subject, string Message, string Fix);
