using System.Globalization;
using Lifeguard.Cli.Drill.Engine;
using Lifeguard.Sizing;

namespace Lifeguard.Cli.Drill.Reporting;

/// <summary>The drill's console lines, each written here once: what the operator reads while a drill runs.</summary>
internal sealed class DrillNarrator(Action<string> say)
{
    /// <summary>Any line (the demonstrations' findings, a fault's own words).</summary>
    public void Say(string line) => say(line);

    public void StartingSite(int poolSize, string why) => say($"starting the website with Maximum Pool Size={poolSize} ({why})");

    public void PhaseStarted(double at, DrillPhaseKind kind, double rate, TimeSpan duration, int poolSize, TimeSpan? admission) =>
        say(F($"[{at,5:0}s] phase {kind.WireName()}: {rate:0.#} req/s for up to {duration.TotalSeconds:0} s, Maximum Pool Size={poolSize}{(admission is { } a ? $", admission budget {a.TotalMilliseconds:0} ms" : "")}"));

    public void Second(DrillSample sample, PoolSnapshot pool, double cpu) =>
        say(F($"[{sample.T,5:0}s] {sample.Phase,-8} req {sample.Requests,4}/s err {sample.Errors,3}  p99 {sample.P99Ms,8:0} ms | pool {pool.InUse:0}/{pool.Max:0} waiting {pool.Waiters,3:0} wait p99 {sample.WaitP99Ms,7:0} ms | db active {sample.DbActive,2} cpu {cpu,4:0.00} | diagnosis {sample.Cause}"));

    public void WarmingUp(double rate, TimeSpan warmUp) =>
        say(F($"warming the new website up: {rate:0.#} req/s for {warmUp.TotalSeconds:0} s, not measured"));

    public void PoolNormal(DrillPhase normal, double capacity) =>
        say(F($"normal traffic: p99 {normal.P99Ms:0} ms, {normal.LeasesPerRequest:0.0} connection leases per request, hold {normal.HoldMeanMs:0.0} ms -> the pool serves at most ~{capacity:0} req/s"));

    public void Peak(double peakRate) => say(F($"peak traffic: {peakRate:0.#} req/s"));

    public void FaultNormal(DrillPhase normal) => say(F($"normal traffic: p99 {normal.P99Ms:0} ms, errors {normal.ErrorRate:P1}"));

    /// <summary>The pool drill's detection: users affected for a while, and the cause the diagnoser named.</summary>
    public void Confirmed(double after, RootCause cause)
    {
        say(F($"DETECTED after {after:0} s: {cause.Kind} — {cause.Summary}"));
        Evidence(cause);
    }

    /// <summary>A fault drill's first sign.</summary>
    public void Detected(double after, bool byUsers, string? cause) =>
        say(F($"DETECTED after {after:0} s ({(byUsers ? "users affected" : "diagnosis " + cause)})"));

    public void RootCauseNamed(double? after, RootCause cause)
    {
        say(F($"ROOT CAUSE after {after:0} s: {cause.Kind} — {cause.Summary}"));
        Evidence(cause);
    }

    private void Evidence(RootCause cause)
    {
        foreach (var e in cause.Evidence) say("  evidence: " + e);
    }

    public void Injected(string description) => say($"injected the fault: {description}");

    public void Mitigation(double at, string action) => say(F($"[{at,5:0}s] MITIGATION: {action}"));

    public void MitigationFailed(string message) => say("mitigation failed: " + message);

    public void WrongCause(string named, string fault, string expected) => say($"the diagnosis named {named}; the fault {fault} is {expected}");

    public void RestartingWithoutLeak() => say("restarting the website with the leak switch off");

    public void DemoSiteStarted(string what) => say($"started a second website for the demonstration ({what}); it idles until the fault is named");

    public void ReplayStarting(TimeSpan admission, int pool, double peakRate, TimeSpan load) =>
        say(F($"replaying the incident with admission control on (Lifeguard:AdmissionBudget={admission.TotalMilliseconds:0} ms): Maximum Pool Size={pool}, {peakRate:0.#} req/s for {load.TotalSeconds:0} s"));

    public void ReplayResult(DrillPhase incident, DrillPhase replay, TimeSpan slowThreshold) =>
        say(F($"with admission control: {replay.ShareSlow:P1} of requests slower than {slowThreshold.TotalSeconds:0} s (without: {incident.ShareSlow:P1}), {replay.RetryLater} answered 503 + Retry-After (p99 {replay.RetryLaterP99Ms:0} ms, {replay.AdmissionRejections} opens shed by the guard), served p99 {replay.ServedP99Ms:0} ms"));

    public void Saturation(int connections, int cores) =>
        say(F($"database: ~{connections} busy connections would saturate its {cores} cores (measured CPU per busy connection)"));

    public void Advice(PoolSizingRecommendation advice)
    {
        say($"advisor: Maximum Pool Size={advice.MaximumPoolSize} ({advice.Verdict})");
        foreach (var r in advice.Reasons) say("  " + r);
    }

    public void RestartingWithPool(int poolSize) => say($"restarting the website with Maximum Pool Size={poolSize}");

    public void Recovery(bool recovered, DrillPhase verify, DrillPhase normal) =>
        say(recovered
            ? F($"RECOVERED: p99 {verify.P99Ms:0} ms (normal {normal.P99Ms:0} ms), errors {verify.ErrorRate:P1}")
            : F($"NOT recovered: p99 {verify.P99Ms:0} ms (normal {normal.P99Ms:0} ms), errors {verify.ErrorRate:P1}"));

    public static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
