namespace Incidents.Domain;

/// <summary>Where fetching an incident's evidence (the guarded app's live diagnosis) stands.</summary>
public enum EvidenceState
{
    /// <summary>No configured target for this incident: nothing to fetch.</summary>
    None,

    /// <summary>Queued for the evidence worker (or being fetched under a lease).</summary>
    Pending,

    /// <summary>The diagnosis is stored.</summary>
    Done,

    /// <summary>Given up after the attempts ran out.</summary>
    Failed,
}
