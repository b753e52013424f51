namespace Incidents.Domain;

/// <summary>The stored state of one alert of an incident, as Alertmanager last reported it.</summary>
public enum AlertStatus
{
    /// <summary>It fires.</summary>
    Firing,

    /// <summary>It resolved.</summary>
    Resolved,
}
