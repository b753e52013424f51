using Lifeguard.Cli.Load;
using Lifeguard.Diagnosis;

namespace Lifeguard.Cli.Drill.Fleet;

/// <summary>One instance through a run: the slots it held, its cap, and what its live diagnosis named and when.</summary>
internal sealed class InstanceTrack(string name)
{
    private readonly List<string> _causes = [];
    private DiagnosisReport? _first;
    private double? _firstAt;
    private DiagnosisReport? _fleet;
    private int _mostSlots;
    private int? _cap;

    public string Name => name;

    /// <summary>Seconds into the run at which it named connection_limit with the fleet's evidence; null when it did not.</summary>
    public double? FleetNamedAt { get; private set; }

    /// <summary>The cause it names now, for the narration.</summary>
    public string Latest { get; private set; } = "?";

    /// <summary>Takes one second; returns the diagnosis when it is the first to name the fleet.</summary>
    public DiagnosisReport? Observe(DiagnosisReport? d, int held, int? cap, double at)
    {
        _mostSlots = Math.Max(_mostSlots, held);
        _cap = cap ?? _cap;
        if (d is null) return null;
        var cause = DiagnosisCauses.NameOf(d.Cause);
        Latest = cause;
        if (d.Cause is DiagnosisCause.Healthy or DiagnosisCause.Unknown) return null;
        if (!_causes.Contains(cause)) _causes.Add(cause);
        if (_first is null)
        {
            _first = d;
            _firstAt = at;
        }

        if (_fleet is not null || d.Cause != DiagnosisCause.ConnectionLimit || !NamesTheFleet(d)) return null;
        _fleet = d;
        FleetNamedAt = Math.Round(at, 1);
        return d;
    }

    /// <summary>The diagnosis says the fleet is the cause: its pools oversubscribe the server, its siblings are refused, or
    /// the governor holds this instance to its share of the slots.</summary>
    public static bool NamesTheFleet(DiagnosisReport d) =>
        d.Evidence.Any(e => e.StartsWith("fleet: ", StringComparison.Ordinal) && (e.Contains("oversubscribe", StringComparison.Ordinal) || e.Contains("siblings are refused", StringComparison.Ordinal) || e.Contains("the governor caps this instance", StringComparison.Ordinal)));

    public DrillFleetInstance Result(LoadUrlSummary? load, int refused)
    {
        var shown = _fleet ?? _first;
        return new DrillFleetInstance(
            name, load?.Requests ?? 0, load?.Errors ?? 0, load?.P50Ms ?? 0, load?.P99Ms ?? 0, refused, _mostSlots,
            _causes.Count == 0 ? "healthy" : string.Join(" → ", _causes),
            _fleet is not null ? FleetNamedAt : _firstAt is { } f ? Math.Round(f, 1) : null,
            _fleet is not null,
            shown is null ? [] : [.. shown.Evidence.Where(e => e.StartsWith("fleet:", StringComparison.Ordinal) || e.StartsWith("slots held", StringComparison.Ordinal) || e.StartsWith("app:", StringComparison.Ordinal))],
            _cap);
    }
}
