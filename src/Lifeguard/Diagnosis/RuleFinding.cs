namespace Lifeguard.Diagnosis;

/// <summary>A rule that held for one second: its cause and what it saw.</summary>
internal sealed record RuleFinding(DiagnosisCause Cause, string Summary, IReadOnlyList<string> Evidence, string Remedy, string Avoid, double Strength);
