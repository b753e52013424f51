using Lifeguard.Contracts.Alertmanager;

namespace Incidents.Intake;

/// <summary>What a body changes, alert by alert, against the stored state.</summary>
internal sealed class IntakePlan
{
    /// <summary>New to the incident, or fired again (later startsAt).</summary>
    public List<AlertmanagerAlert> Firing { get; } = [];

    /// <summary>Were firing, now resolved.</summary>
    public List<AlertmanagerAlert> Resolved { get; } = [];

    /// <summary>Unknown so far and already resolved.</summary>
    public List<AlertmanagerAlert> JoinedResolved { get; } = [];

    /// <summary>Firing alerts the body did not list although the whole group resolved (truncated bodies).</summary>
    public List<string> ResolvedUnlisted { get; } = [];

    /// <summary>Whether anything changes.</summary>
    public bool Changed => Firing.Count + Resolved.Count + JoinedResolved.Count + ResolvedUnlisted.Count > 0;
}
