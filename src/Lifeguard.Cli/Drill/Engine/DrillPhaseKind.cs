namespace Lifeguard.Cli.Drill.Engine;

/// <summary>The phases a drill runs; each has a fixed name in drill.json (<see cref="DrillPhaseKinds.WireName"/>).</summary>
internal enum DrillPhaseKind
{
    /// <summary>Normal traffic on the site as configured: the baseline.</summary>
    Normal,
    /// <summary>The pool drill's peak traffic on the misconfigured pool.</summary>
    Incident,
    /// <summary>The pool incident replayed on a site with admission control on.</summary>
    IncidentAdmission,
    /// <summary>The pool drill's peak traffic on the advisor's pool size.</summary>
    Fixed,
    /// <summary>Normal traffic with a fault injected.</summary>
    Fault,
    /// <summary>The cpu demonstration's surge on the site as it is.</summary>
    Surge,
    /// <summary>The cpu demonstration's surge on a site with admission control on.</summary>
    SurgeAdmission,
    /// <summary>The network demonstration: the same traffic on a site with a bigger pool.</summary>
    BiggerPool,
    /// <summary>Normal traffic after the mitigation: the verification.</summary>
    Mitigated,
    /// <summary>The pooler drill's second case: a report job holds the pooler's server connections.</summary>
    Held,
    /// <summary>Normal traffic after the holder was ended: the second case's verification.</summary>
    HeldMitigated,
}
