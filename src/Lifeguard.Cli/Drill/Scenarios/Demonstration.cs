using Lifeguard.Cli.Drill.Engine;
using Lifeguard.Cli.Drill.Faults;
using Lifeguard.Cli.Drill.Reporting;
using Npgsql;
using static Lifeguard.Cli.Drill.Reporting.DrillNarrator;

namespace Lifeguard.Cli.Drill.Scenarios;

/// <summary>
/// What the tempting remedies do while a fault is still in, on a second website process started beside the first (a
/// site's pool and guard options are fixed for its life): admission control under a CPU-bound database (cpu), a bigger
/// pool against network delay (network).
/// </summary>
internal sealed class Demonstration(DrillEnvironment env, string fault)
{
    private DrillOptions Options => env.Options;

    /// <summary>Whether the fault has a demonstration, and so a second site started beside the first.</summary>
    public static bool Exists(string fault) => fault is DrillFaults.Cpu or DrillFaults.Network;

    /// <summary>The demonstration runs only when the diagnoser named the cause it is about.</summary>
    public bool Fits(string cause) =>
        (fault, cause) is (DrillFaults.Cpu, Lifeguard.Diagnosis.DiagnosisCauses.DatabaseCpu)
            or (DrillFaults.Network, Lifeguard.Diagnosis.DiagnosisCauses.NetworkLatency);

    private TimeSpan Admission => Options.AdmissionBudget ?? AdmissionSettings.DefaultBudget;

    /// <summary>The second site: admission control on (cpu), or a pool <see cref="DrillOptions.BiggerPoolFactor"/> times bigger (network).</summary>
    public Task<SiteProcess> StartSiteAsync(NpgsqlConnectionStringBuilder cs, IDictionary<string, string> settings, CancellationToken ct) =>
        fault == DrillFaults.Cpu
            ? SiteProcess.StartAsync(env.Database.Checkout, cs.ConnectionString, AdmissionSettings.For(Admission, settings), ct)
            : SiteProcess.StartAsync(env.Database.Checkout, new NpgsqlConnectionStringBuilder(cs.ConnectionString) { MaxPoolSize = cs.MaxPoolSize * Options.BiggerPoolFactor }.ConnectionString, settings, ct);

    /// <summary>What the second site is, for the log.</summary>
    public string SiteDescription(int pool) =>
        fault == DrillFaults.Cpu ? F($"admission control on, budget {Admission.TotalMilliseconds:0} ms") : F($"Maximum Pool Size={pool * Options.BiggerPoolFactor}");

    /// <summary>
    /// Runs the demonstration while the fault is still in. cpu: a surge of <see cref="DrillOptions.SurgeFactor"/> times the
    /// traffic on the site as it is (full drill), then on the site with admission control. network: the same traffic on
    /// the site with the bigger pool.
    /// </summary>
    public async Task<(IReadOnlyList<DrillPhase> Phases, DrillComparison Comparison)> RunAsync(DrillPhase normal, DrillPhase faultPhase, SiteProcess site, SiteProcess side, int pool, double rate, CancellationToken ct)
    {
        var say = env.Narrator;
        if (fault == DrillFaults.Cpu)
        {
            var surge = DrillTraffic.SurgeRate(pool, rate, faultPhase.LeasesPerRequest, faultPhase.HoldMeanMs, Options.SurgeFactor);
            say.Say(F($"while the burner runs: a surge of {surge:0.#} req/s for {Options.DemoPhase.TotalSeconds:0} s{(Options.SurgeWithoutAdmission ? " on the site as it is, then" : "")} on a site with admission control (budget {Admission.TotalMilliseconds:0} ms)"));
            var without = Options.SurgeWithoutAdmission
                ? await env.Phases.RunAsync(new PhasePlan(DrillPhaseKind.Surge, site, pool, surge, Options.DemoPhase) { StopEarly = ct }).ConfigureAwait(false)
                : null;
            var with = await env.Phases.RunAsync(new PhasePlan(DrillPhaseKind.SurgeAdmission, side, pool, surge, Options.DemoPhase) { StopEarly = ct, Admission = Admission }).ConfigureAwait(false);
            var cpu = ComparisonFindings.AdmissionUnderCpu(rate, surge, Admission, Options.SlowThreshold, faultPhase, without, with);
            say.Say("admission under cpu: " + cpu.Finding);
            return (without is null ? [with] : [without, with], cpu);
        }

        var big = pool * Options.BiggerPoolFactor;
        say.Say(F($"while the delay is in: the same {rate:0.#} req/s for {Options.DemoPhase.TotalSeconds:0} s on a site with Maximum Pool Size={big} ({Options.BiggerPoolFactor}x)"));
        var bigger = await env.Phases.RunAsync(new PhasePlan(DrillPhaseKind.BiggerPool, side, big, rate, Options.DemoPhase) { StopEarly = ct }).ConfigureAwait(false);
        var network = ComparisonFindings.BiggerPool(pool, big, Options.SlowThreshold, normal, faultPhase, bigger);
        say.Say("bigger pool under network delay: " + network.Finding);
        return ([bigger], network);
    }
}
