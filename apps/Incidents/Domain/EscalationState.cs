namespace Incidents.Domain;

/// <summary>Where an incident's escalation stands.</summary>
public enum EscalationState
{
    /// <summary>Taking steps; due again after the current wait.</summary>
    Running,

    /// <summary>Paused by an acknowledgement; due again at the policy's acknowledgement timeout, if it has one.</summary>
    Acknowledged,

    /// <summary>The policy ran out of steps while the incident stayed open.</summary>
    Finished,

    /// <summary>The incident resolved.</summary>
    Stopped,
}
