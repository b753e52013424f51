namespace Lifeguard.Cli.Drill.Detection;

/// <summary>What became true at one second of an <see cref="IncidentDetector"/>.</summary>
[Flags]
internal enum DetectorEvents
{
    /// <summary>Nothing new.</summary>
    None = 0,
    /// <summary>The first sign: users affected or a diagnosis other than healthy.</summary>
    Detected = 1,
    /// <summary>A cause stood long enough to act on.</summary>
    Named = 2,
    /// <summary>Users affected for a sustained while, with a cause named.</summary>
    Confirmed = 4,
}
