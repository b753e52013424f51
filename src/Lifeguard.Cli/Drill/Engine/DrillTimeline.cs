namespace Lifeguard.Cli.Drill.Engine;

/// <summary>The drill's clock and its per-second samples, in order; the report's timeline.</summary>
internal sealed class DrillTimeline(TimeProvider time)
{
    private readonly List<DrillSample> _samples = [];
    private long? _start;

    /// <summary>Starts the clock: the drill's second 0.</summary>
    public void Start() => _start ??= time.GetTimestamp();

    /// <summary>Seconds since <see cref="Start"/>.</summary>
    public double Now => _start is { } s ? time.GetElapsedTime(s).TotalSeconds : 0;

    /// <summary>Every sample so far (the list the report serialises).</summary>
    public IReadOnlyList<DrillSample> Samples => _samples;

    public void Add(DrillSample sample)
    {
        lock (_samples) _samples.Add(sample);
    }

    /// <summary>The samples of one kind of phase.</summary>
    public IReadOnlyList<DrillSample> Of(DrillPhaseKind kind)
    {
        var name = kind.WireName();
        lock (_samples) return [.. _samples.Where(s => s.Phase == name)];
    }
}
