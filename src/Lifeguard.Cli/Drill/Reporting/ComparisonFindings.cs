using static Lifeguard.Cli.Drill.Reporting.DrillNarrator;

namespace Lifeguard.Cli.Drill.Reporting;

/// <summary>The side-by-side runs' findings, from their measured phases: pure assembly of a <see cref="DrillComparison"/>.</summary>
internal static class ComparisonFindings
{
    /// <summary>The pool incident without and with admission control.</summary>
    public static DrillComparison AdmissionReplay(DrillPhase incident, DrillPhase replay, TimeSpan slowThreshold)
    {
        ArgumentNullException.ThrowIfNull(incident);
        ArgumentNullException.ThrowIfNull(replay);
        // The goal as the postmortem's readers would state it: nobody waits that long, and whoever is not served is told at
        // once to come back (503 + Retry-After), not failed otherwise. With no excess at all, nothing needs shedding.
        var goal = replay.ShareSlow == 0 && replay.Errors == replay.RetryLater && replay.Requests > 0;
        var slow = slowThreshold.TotalSeconds;
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

    /// <summary>The cpu demonstration: the fault under normal traffic, a surge without admission control (full drill
    /// only: <paramref name="without"/> null in the quick one) and with it.</summary>
    public static DrillComparison AdmissionUnderCpu(double rate, double surge, TimeSpan admission, TimeSpan slowThreshold, DrillPhase faultPhase, DrillPhase? without, DrillPhase with)
    {
        ArgumentNullException.ThrowIfNull(faultPhase);
        ArgumentNullException.ThrowIfNull(with);
        var slow = slowThreshold.TotalSeconds;
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
        var runs = new List<DrillRun> { DrillRun.From("the fault, normal traffic", faultPhase) };
        if (without is not null) runs.Add(DrillRun.From("surge, no admission control", without));
        runs.Add(DrillRun.From(F($"surge, admission budget {admission.TotalMilliseconds:0} ms"), with));
        return new DrillComparison(DrillComparison.AdmissionUnderCpu, "Does admission control hold the latency of the pages served while the database is CPU-bound?", slow, runs, finding, holds);
    }

    /// <summary>The network demonstration: the same traffic on the site's pool and on a bigger one, while the delay is in.</summary>
    public static DrillComparison BiggerPool(int pool, int big, TimeSpan slowThreshold, DrillPhase normal, DrillPhase faultPhase, DrillPhase bigger)
    {
        ArgumentNullException.ThrowIfNull(normal);
        ArgumentNullException.ThrowIfNull(faultPhase);
        ArgumentNullException.ThrowIfNull(bigger);
        // "Fixed" means what the drill's recovery means: p99 back near normal.
        var recoveredBound = DrillThresholds.RecoveryBoundMs(normal.P99Ms);
        var noFix = bigger.P99Ms > recoveredBound;
        var text = F($"With the delay in, Maximum Pool Size={pool}: p99 {faultPhase.P99Ms:0} ms (pool wait p99 {faultPhase.PoolWaitP99Ms:0} ms); Maximum Pool Size={big}: p99 {bigger.P99Ms:0} ms (pool wait p99 {bigger.PoolWaitP99Ms:0} ms); normal p99 {normal.P99Ms:0} ms, recovered means ≤ {recoveredBound:0} ms. ")
            + (noFix
                ? "The bigger pool does not bring latency back: the time is in round trips, so the fix is the path, and the pool stays as it is."
                : "The bigger pool brought p99 within the recovery bound here: the pool, not the path, was the bottleneck.");
        var runs = new[] { DrillRun.From("normal, no fault", normal), DrillRun.From(F($"the fault, pool {pool}"), faultPhase), DrillRun.From(F($"the fault, pool {big}"), bigger) };
        return new DrillComparison(DrillComparison.BiggerPool, "Does a bigger pool fix a slower network path?", slowThreshold.TotalSeconds, runs, text, noFix);
    }
}
