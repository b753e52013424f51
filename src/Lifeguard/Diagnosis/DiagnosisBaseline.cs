namespace Lifeguard.Diagnosis;

/// <summary>Normal values learned from healthy seconds; null until enough were seen.</summary>
/// <param name="HoldP99Ms">Median per-second hold p99 while healthy.</param>
/// <param name="RoundTripMs">Median trivial-query round trip while healthy.</param>
internal sealed record DiagnosisBaseline(double? HoldP99Ms, double? RoundTripMs)
{
    public static DiagnosisBaseline None { get; } = new(null, null);
}
