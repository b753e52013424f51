using Lifeguard.Cli.Drill.Faults;
using Lifeguard.Cli.Load;

namespace Lifeguard.Cli.Drill;

/// <summary>
/// The side-by-side runs: the pool incident replayed with admission control on (--admission), and while a fault is in,
/// what the tempting remedies do: admission control under a CPU-bound database, a bigger pool against network delay.
/// Each runs the same traffic on a second website process, since a site's pool and guard options are fixed for its life.
/// </summary>
internal sealed partial class DrillRunner
{
    /// <summary>The cpu demonstration's admission budget when --admission is not given.</summary>
    private static readonly TimeSpan DefaultAdmission = TimeSpan.FromSeconds(1);


    /// <summary>The website's settings with admission control on (its Lifeguard:AdmissionBudget).</summary>
    private static Dictionary<string, string> AdmissionSettings(TimeSpan budget, IDictionary<string, string>? settings = null)
    {
        var s = new Dictionary<string, string>(settings ?? SiteDatabase.SiteSettings(), StringComparer.Ordinal)
        {
            ["Lifeguard__AdmissionBudget"] = budget.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
        };
        return s;
    }

    /// <summary>A short burst at twice normal traffic, not recorded: the site opens the connections such traffic needs.</summary>
    private async Task WarmAsync(SiteProcess site)
    {
        var runner = await RunnerAsync(site).ConfigureAwait(false);
        await runner.RunAsync(null, CancellationToken.None, new LatencyRecorder(), TimeSpan.FromSeconds(2), 2 * options.NormalRate).ConfigureAwait(false);
    }

    /// <summary>
    /// The cpu demonstration's surge: <see cref="DrillOptions.SurgeFactor"/> times what the pool serves while the database
    /// is CPU-bound (connections over the connection time per request, measured in the fault phase), so there is an excess
    /// to shed on a quiet machine as on a busy one; at least twice normal traffic, at most 150 req/s.
    /// </summary>
    internal static double SurgeRate(int pool, double normalRate, double leasesPerRequest, double holdMeanMs, double factor)
    {
        var perRequest = leasesPerRequest * holdMeanMs / 1000.0;
        var capacity = perRequest > 0 ? pool / perRequest : 4 * normalRate;
        return Math.Round(Math.Clamp(factor * capacity, 2 * normalRate, 150), 1);
    }

    /// <summary>Whether the fault's drill has a demonstration, and so a second site started beside the first.</summary>
    private static bool HasDemo(string fault) => fault is DrillFaults.Cpu or DrillFaults.Network;

    /// <summary>The demonstration runs only when the diagnoser named the cause it is about.</summary>
    private static bool DemoFits(string fault, string cause) =>
        (fault, cause) is (DrillFaults.Cpu, Lifeguard.Diagnosis.DiagnosisCauses.DatabaseCpu)
            or (DrillFaults.Network, Lifeguard.Diagnosis.DiagnosisCauses.NetworkLatency);

    /// <summary>The second site of a demonstration: admission control on (cpu), or a pool <see cref="DrillOptions.BiggerPoolFactor"/> times bigger (network).</summary>
    private Task<SiteProcess> StartDemoSiteAsync(string fault, Checkout checkout, Npgsql.NpgsqlConnectionStringBuilder cs, IDictionary<string, string> settings, CancellationToken ct) =>
        fault == DrillFaults.Cpu
            ? SiteProcess.StartAsync(checkout, cs.ConnectionString, AdmissionSettings(options.AdmissionBudget ?? DefaultAdmission, settings), ct)
            : SiteProcess.StartAsync(checkout, new Npgsql.NpgsqlConnectionStringBuilder(cs.ConnectionString) { MaxPoolSize = cs.MaxPoolSize * options.BiggerPoolFactor }.ConnectionString, settings, ct);

    /// <summary>
    /// Runs the demonstration while the fault is still in. cpu: a surge of <see cref="DrillOptions.SurgeFactor"/> times the
    /// traffic on the site as it is, then on the site with admission control. network: the same traffic on the site with
    /// the bigger pool.
    /// </summary>
    private async Task<(List<DrillPhase> Phases, DrillComparison Comparison)> RunDemoAsync(string fault, DrillPhase normal, DrillPhase faultPhase, SiteProcess site, SiteProcess side, int pool, double rate, CancellationToken ct)
    {
        if (fault == DrillFaults.Cpu)
        {
            var surge = SurgeRate(pool, rate, faultPhase.LeasesPerRequest, faultPhase.HoldMeanMs, options.SurgeFactor);
            var admission = options.AdmissionBudget ?? DefaultAdmission;
            var slow = options.SlowThreshold.TotalSeconds;
            say(F($"while the burner runs: a surge of {surge:0.#} req/s for {options.DemoPhase.TotalSeconds:0} s{(options.SurgeWithoutAdmission ? " on the site as it is, then" : "")} on a site with admission control (budget {admission.TotalMilliseconds:0} ms)"));
            var without = options.SurgeWithoutAdmission ? await RunPhaseAsync("surge", site, pool, surge, options.DemoPhase, null, ct).ConfigureAwait(false) : null;
            var with = await RunPhaseAsync("surge+admission", side, pool, surge, options.DemoPhase, null, ct, admission: admission).ConfigureAwait(false);
            // Held: the excess was shed and nobody waited as long as a pool timeout; without admission control (full drill)
            // the served pages are also slower.
            var holds = with.AdmissionRejections > 0 && with.ShareSlow == 0 && (without is null || with.ServedP99Ms < without.ServedP99Ms);
            var noExcess = with.AdmissionRejections == 0;
            var finding = F($"While the database was CPU-bound, normal traffic ({rate:0.#} req/s) had p99 {faultPhase.P99Ms:0} ms. ")
                + (without is null ? "" : F($"A surge of {surge:0.#} req/s without admission control: served p99 {without.ServedP99Ms:0} ms, {without.ShareSlow:P0} took {slow:0} s or more, pool wait p99 {without.PoolWaitP99Ms:0} ms, {without.Errors} of {without.Requests} failed ({without.RetryLater} answered 503 + Retry-After after waiting, p99 {without.RetryLaterP99Ms:0} ms). "))
                + F($"The surge with a {admission.TotalMilliseconds:0} ms admission budget: the guard shed {with.AdmissionRejections} opens ({with.RetryLater} of {with.Requests} requests answered 503 + Retry-After, p99 {with.RetryLaterP99Ms:0} ms), pool wait p99 {with.PoolWaitP99Ms:0} ms, served p99 {with.ServedP99Ms:0} ms, {with.ShareSlow:P0} took {slow:0} s or more, {with.Errors - with.RetryLater} failed otherwise. ")
                + (holds
                    ? "Admission control kept the queue from adding to the latency: no open waited longer than its budget (the pool wait p99 is read from the guard's histogram, whose bucket above 1 s ends at 2.5 s), the excess was told to come back. "
                        + "What remains is the CPU-bound database's own slowness; admission control cures nothing, stopping the burner does."
                    : noExcess ? "There was no excess to shed: the pool kept up with the surge, and admission control had nothing to do."
                    : "Admission control did not hold latency here (a request as slow as a pool timeout, or served pages no faster than without it).");
            say("admission under cpu: " + finding);
            var runs = new List<DrillRun> { DrillRun.From("the fault, normal traffic", faultPhase) };
            if (without is not null) runs.Add(DrillRun.From("surge, no admission control", without));
            runs.Add(DrillRun.From(F($"surge, admission budget {admission.TotalMilliseconds:0} ms"), with));
            return (without is null ? [with] : [without, with], new DrillComparison(DrillComparison.AdmissionUnderCpu, "Does admission control hold the latency of the pages served while the database is CPU-bound?", options.SlowThreshold.TotalSeconds, runs, finding, holds));
        }

        var big = pool * options.BiggerPoolFactor;
        say(F($"while the delay is in: the same {rate:0.#} req/s for {options.DemoPhase.TotalSeconds:0} s on a site with Maximum Pool Size={big} ({options.BiggerPoolFactor}x)"));
        var bigger = await RunPhaseAsync("bigger-pool", side, big, rate, options.DemoPhase, null, ct).ConfigureAwait(false);
        // "Fixed" means what the drill's recovery means: p99 back near normal.
        var recoveredBound = Math.Max(2 * normal.P99Ms, normal.P99Ms + 250);
        var noFix = bigger.P99Ms > recoveredBound;
        var text = F($"With the delay in, Maximum Pool Size={pool}: p99 {faultPhase.P99Ms:0} ms (pool wait p99 {faultPhase.PoolWaitP99Ms:0} ms); Maximum Pool Size={big}: p99 {bigger.P99Ms:0} ms (pool wait p99 {bigger.PoolWaitP99Ms:0} ms); normal p99 {normal.P99Ms:0} ms, recovered means ≤ {recoveredBound:0} ms. ")
            + (noFix
                ? "The bigger pool does not bring latency back: the time is in round trips, so the fix is the path, and the pool stays as it is."
                : "The bigger pool brought p99 within the recovery bound here: the pool, not the path, was the bottleneck.");
        say("bigger pool under network delay: " + text);
        var pair = new[] { DrillRun.From("normal, no fault", normal), DrillRun.From(F($"the fault, pool {pool}"), faultPhase), DrillRun.From(F($"the fault, pool {big}"), bigger) };
        return ([bigger], new DrillComparison(DrillComparison.BiggerPool, "Does a bigger pool fix a slower network path?", options.SlowThreshold.TotalSeconds, pair, text, noFix));
    }

    private DrillComparison AdmissionReplay(DrillPhase incident, DrillPhase replay)
    {
        // The goal as the postmortem's readers would state it: nobody waits that long, and whoever is not served is told at
        // once to come back (503 + Retry-After), not failed otherwise. With no excess at all, nothing needs shedding.
        var goal = replay.ShareSlow == 0 && replay.Errors == replay.RetryLater && replay.Requests > 0;
        var slow = options.SlowThreshold.TotalSeconds;
        var finding = F($"Without admission control {incident.ShareSlow:P1} of requests took {slow:0} s or more ({incident.ShareOver10s:P1} over 10 s); served p99 {incident.ServedP99Ms:0} ms; {incident.RetryLater} answered 503 + Retry-After after waiting for a connection (p99 {incident.RetryLaterP99Ms:0} ms); {incident.Errors - incident.RetryLater} failed otherwise. With a {replay.AdmissionBudgetMs:0} ms admission budget {replay.ShareSlow:P1} took {slow:0} s or more; {replay.RetryLater} of {replay.Requests} ({(replay.Requests == 0 ? 0 : (double)replay.RetryLater / replay.Requests):P0}) were answered 503 + Retry-After (p99 {replay.RetryLaterP99Ms:0} ms; the guard shed {replay.AdmissionRejections} opens); served p99 {replay.ServedP99Ms:0} ms; {replay.Errors - replay.RetryLater} failed otherwise. ")
            + (!goal ? "Goal not met."
                : replay.AdmissionRejections > 0 ? "Goal met: no user waited that long; the excess was told at once to come back."
                : "Goal met without shedding: with nobody left waiting in a queue the small pool kept up with this traffic (its hold times did not grow with a backlog), so nothing needed to be shed.");
        return new DrillComparison(
            DrillComparison.AdmissionReplay,
            F($"Does admission control keep every request under {slow:0} s during the incident, answering the rest fast with 503 + Retry-After?"),
            slow,
            [DrillRun.From("without admission control", incident), DrillRun.From(F($"admission budget {replay.AdmissionBudgetMs:0} ms"), replay)],
            finding,
            goal);
    }
}
