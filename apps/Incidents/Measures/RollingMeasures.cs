namespace Incidents.Measures;

/// <summary>Means over the incidents opened in the last <see cref="Days"/> days (null when none had that step).</summary>
public sealed record RollingMeasures(int Days, int Incidents, int Open, double? MttdSeconds, double? MttaSeconds, double? MttrSeconds, int Reopens);
