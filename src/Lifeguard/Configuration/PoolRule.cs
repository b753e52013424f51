namespace Lifeguard.Configuration;

/// <summary>A configuration rule as documented: id, short name, default severity and what it checks.</summary>
public sealed record PoolRule(string Id, string Name, FindingSeverity Severity, string Description);
