namespace Lifeguard.Cli.Drill;

/// <summary>How a drill runs. Quick fits CI (at most 60 s); the default at most 3 minutes.</summary>
internal sealed record DrillOptions
{
    public bool Quick { get; init; }
    /// <summary>The fault to inject (DrillFaults); pool replays the February 10 incident.</summary>
    public string Fault { get; init; } = Faults.DrillFaults.Pool;
    /// <summary>Maximum Pool Size of the website in the drills of the other faults: a right-sized pool, which the drill does not change.</summary>
    public int HealthyPoolSize { get; init; } = 10;
    /// <summary>Port of the private PostgreSQL (run.sh's cluster by default); started if not running.</summary>
    public int PgPort { get; init; } = 54329;
    public string? PgDataDir { get; init; }
    /// <summary>The postmortem's misconfiguration: a Maximum Pool Size far below what the load needs.</summary>
    public int MisconfiguredPoolSize { get; init; } = 2;
    /// <summary>One-way network delay between website and database (the incident's database was a network hop away).</summary>
    public TimeSpan NetworkDelay { get; init; } = TimeSpan.FromMilliseconds(4);
    public TimeSpan Slo { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Arrival rate of normal traffic; peak traffic is derived from what the pool can serve.</summary>
    public double NormalRate { get; init; } = 8;
    public int Users { get; init; } = 24;
    /// <summary>
    /// Seed size when the database is empty (seeding happens once per database): run.sh's default 1.0 (1,000 users,
    /// 2,000,000 orders), so a drill on run.sh's cluster leaves the data run.sh expects; the quick drill seeds 0.1
    /// (200,000 orders): a dashboard reads ~2,000 orders at any scale, so a dropped index costs a scan of the whole
    /// table, and at 0.03 (60,000 rows, ~3 ms a scan on a fast host) the slow-query fault was too small to see at all.
    /// </summary>
    public double SeedScale => Quick ? 0.1 : 1.0;
    public string OutputDirectory { get; init; } = "artifacts/drill";

    public TimeSpan NormalPhase => Quick ? TimeSpan.FromSeconds(8) : TimeSpan.FromSeconds(30);
    public TimeSpan IncidentMax => Quick ? TimeSpan.FromSeconds(22) : TimeSpan.FromSeconds(80);
    /// <summary>How long the incident keeps running after diagnosis, to show its shape (share over 10 s, errors).</summary>
    public TimeSpan IncidentAfterDiagnosis => Quick ? TimeSpan.FromSeconds(6) : TimeSpan.FromSeconds(40);
    /// <summary>How long a fault other than pool keeps running after its cause is named, before the mitigation.</summary>
    public TimeSpan FaultAfterDiagnosis => Quick ? TimeSpan.FromSeconds(3) : TimeSpan.FromSeconds(15);
    /// <summary>The network fault's one-way delay between site and database.</summary>
    public TimeSpan NetworkFaultDelay { get; init; } = TimeSpan.FromMilliseconds(100);
    /// <summary>How long the restart fault keeps the database down.</summary>
    public TimeSpan RestartDowntime => Quick ? TimeSpan.FromSeconds(5) : TimeSpan.FromSeconds(15);
    public TimeSpan FixedPhase => Quick ? TimeSpan.FromSeconds(12) : TimeSpan.FromSeconds(35);
    /// <summary>
    /// The provider's acquire timeout in the misconfigured site: Npgsql's default, 15 s, as in the incident. The quick
    /// drill uses 5 s so that requests start failing inside its short window, as they did that morning.
    /// </summary>
    public int MisconfiguredTimeoutSeconds => Quick ? 5 : 15;

    /// <summary>
    /// Admission control for the pool drill's side-by-side replay (the website's Lifeguard:AdmissionBudget): null runs the
    /// incident once, without it. The cpu drill's demonstration uses it too (1 s when null).
    /// </summary>
    public TimeSpan? AdmissionBudget { get; init; }

    /// <summary>
    /// What counts as a slow request in the side-by-side runs: the postmortem's 10 s. The quick drill's provider timeout is
    /// 5 s instead of Npgsql's 15 s (so its incident fits in a minute), and its requests rarely reach 10 s: there, slow is
    /// 5 s, a request that waited as long as a whole pool timeout.
    /// </summary>
    public TimeSpan SlowThreshold => Quick ? TimeSpan.FromSeconds(5) : TimeSpan.FromSeconds(10);

    /// <summary>How long each demonstration run lasts while a fault is in (cpu: a surge with admission control, and in the
    /// full drill without it too; network: a bigger pool).</summary>
    public TimeSpan DemoPhase => Quick ? TimeSpan.FromSeconds(4) : TimeSpan.FromSeconds(15);

    /// <summary>
    /// Whether the cpu demonstration also runs the surge without admission control. The quick drill leaves it out: that
    /// run's queue drains only at the pool timeout, which would take the drill past its minute; its reference is then the
    /// fault under normal traffic.
    /// </summary>
    public bool SurgeWithoutAdmission => !Quick;

    /// <summary>The cpu demonstration's surge, as a multiple of what the pool serves while the database is CPU-bound
    /// (measured in the fault phase), so there is an excess to shed.</summary>
    public double SurgeFactor { get; init; } = 1.5;

    /// <summary>The network demonstration's bigger pool, as a multiple of the right-sized one.</summary>
    public int BiggerPoolFactor { get; init; } = 4;

    /// <summary>Peak traffic as a multiple of what the misconfigured pool can serve (the quick drill overloads harder to show the shape sooner).</summary>
    public double PeakFactor => Quick ? 2.5 : 2.0;
}
