namespace Lifeguard.Cli.Drill.Engine;

/// <summary>What each <see cref="DrillPhaseKind"/> is called in drill.json and on the console, and how it is narrated.</summary>
internal static class DrillPhaseKinds
{
    /// <summary>The phase's name in the report (phases[].name, timeline[].phase): fixed, tests and docs read it.</summary>
    public static string WireName(this DrillPhaseKind kind) => kind switch
    {
        DrillPhaseKind.Normal => "normal",
        DrillPhaseKind.Incident => "incident",
        DrillPhaseKind.IncidentAdmission => "incident+admission",
        DrillPhaseKind.Fixed => "fixed",
        DrillPhaseKind.Fault => "fault",
        DrillPhaseKind.Surge => "surge",
        DrillPhaseKind.SurgeAdmission => "surge+admission",
        DrillPhaseKind.BiggerPool => "bigger-pool",
        DrillPhaseKind.Mitigated => "mitigated",
        DrillPhaseKind.Held => "held",
        DrillPhaseKind.HeldMitigated => "held-mitigated",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>The incident's phases are narrated every second (the operator watches them); the others every fifth.</summary>
    public static bool NarratedEverySecond(this DrillPhaseKind kind) => kind is DrillPhaseKind.Incident or DrillPhaseKind.IncidentAdmission;
}
