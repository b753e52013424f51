namespace Lifeguard.Cli.Drill;

/// <summary>The drill's link to the incident service, kept apart from the drill itself: the runner only tells it when the cause is named.</summary>
internal sealed partial class DrillRunner
{
    /// <summary>When set, the named cause is posted to the incident service as an alert (see <see cref="IncidentLink"/>).</summary>
    public IncidentLink? Incident { get; init; }
}
