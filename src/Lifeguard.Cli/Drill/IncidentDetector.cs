using System.Globalization;

namespace Lifeguard.Cli.Drill;

/// <summary>
/// Detects an incident from per-second signals and names its cause, without knowing what was injected.
/// Symptom: request p99 above the SLO or more than 5% errors, sustained. Cause, from the same seconds:
/// a leak if leaks were reported; database CPU if postgres uses nearly all cores; pool saturation if
/// the pool is pinned at its maximum with requests queued and the wait makes up most of the latency
/// while hold times stay near the baseline; slow queries if hold times grew several-fold instead.
/// </summary>
internal sealed class IncidentDetector(double sloMs, int databaseCores, int sustainSeconds = 3)
{
    private readonly List<DrillSample> _window = [];
    private double _baselineHoldP99Ms = double.NaN;
    private double _baselineP99Ms = double.NaN;

    /// <summary>Learns normal hold time and latency from a healthy stretch.</summary>
    public void LearnBaseline(IReadOnlyList<DrillSample> healthy)
    {
        var withTraffic = healthy.Where(s => s.Requests > 0).ToList();
        if (withTraffic.Count == 0) return;
        _baselineHoldP99Ms = Median(withTraffic.Select(s => s.HoldP99Ms).Where(v => !double.IsNaN(v)));
        _baselineP99Ms = Median(withTraffic.Select(s => s.P99Ms));
    }

    /// <summary>Feeds one second; returns the diagnosis the first time the symptom has lasted long enough.</summary>
    public RootCause? Observe(DrillSample sample)
    {
        var symptom = sample.Requests > 0 && (sample.P99Ms > sloMs || sample.ErrorRate > 0.05);
        if (!symptom)
        {
            _window.Clear();
            return null;
        }

        _window.Add(sample);
        return _window.Count >= sustainSeconds ? Diagnose(_window) : null;
    }

    internal RootCause Diagnose(IReadOnlyList<DrillSample> w)
    {
        var evidence = new List<string>();
        var p99 = Median(w.Select(s => s.P99Ms));
        var errorRate = w.Sum(s => s.Errors) / (double)Math.Max(1, w.Sum(s => s.Requests));
        evidence.Add(F($"users: request p99 {p99:0} ms (SLO {sloMs:0} ms{(double.IsNaN(_baselineP99Ms) ? "" : F($", normal {_baselineP99Ms:0} ms"))}), {errorRate:P0} errors over {w.Count} s"));

        var leaks = w.Sum(s => s.Leaks);
        var cpu = Median(w.Select(s => s.DbCpuCores).Where(v => !double.IsNaN(v)));
        var pinned = w.Count(s => s.PoolMax > 0 && s.PoolUsed >= s.PoolMax);
        var queued = w.Count(s => s.PoolPending > 0 || s.Timeouts > 0);
        var waitP99 = Median(w.Select(s => s.WaitP99Ms).Where(v => !double.IsNaN(v)));
        var holdP99 = Median(w.Select(s => s.HoldP99Ms).Where(v => !double.IsNaN(v)));
        var max = w.Max(s => s.PoolMax);
        var pending = w.Max(s => s.PoolPending);
        var timeouts = w.Sum(s => s.Timeouts);
        var active = w.Max(s => s.DbActive);
        var backends = w.Max(s => s.DbBackends);
        var holdGrowth = double.IsNaN(_baselineHoldP99Ms) || _baselineHoldP99Ms <= 0 ? double.NaN : holdP99 / _baselineHoldP99Ms;
        var cpuShare = double.IsNaN(cpu) ? double.NaN : cpu / Math.Max(1, databaseCores);

        if (leaks > 0)
        {
            evidence.Add(F($"pool: {leaks:0} connection leak(s) reported (held past the leak threshold); in use {w[^1].PoolUsed:0}/{max:0}"));
            return new RootCause("connection_leak", "Connections are borrowed and not returned (leak), starving the pool.", evidence);
        }

        if (cpuShare >= 0.85)
        {
            evidence.Add(F($"database: postgres uses {cpu:0.0} of {databaseCores} cores ({cpuShare:P0}), {active} active backends"));
            return new RootCause("database_cpu", "The database server is CPU-bound; more connections would make it worse.", evidence);
        }

        var waitShare = p99 > 0 && !double.IsNaN(waitP99) ? waitP99 / p99 : 0;
        if (pinned * 2 >= w.Count && queued * 2 >= w.Count && waitShare >= 0.5 && !(holdGrowth >= 3))
        {
            evidence.Add(F($"pool: {w[^1].PoolUsed:0} of {max:0} connections in use, pinned at the maximum in {pinned} of {w.Count} s"));
            evidence.Add(F($"pool: up to {pending:0} requests waiting for a connection; {timeouts:0} pool timeout(s)"));
            evidence.Add(F($"pool: connection wait p99 {waitP99:0} ms = {Math.Min(1, waitShare):P0} of the request p99: requests spend their time queueing for a connection"));
            evidence.Add(double.IsNaN(holdGrowth)
                ? F($"queries: connection hold p99 {holdP99:0.0} ms")
                : F($"queries: connection hold p99 {holdP99:0.0} ms vs {_baselineHoldP99Ms:0.0} ms normally (x{holdGrowth:0.0}): queries are not slower"));
            evidence.Add(double.IsNaN(cpu)
                ? F($"database: {backends} connections open, {active} executing at the sample instant")
                : F($"database: {backends} connections open, {active} executing at the sample instant, postgres CPU {cpu:0.00} of {databaseCores} cores ({cpuShare:P0}): the database has headroom"));
            return new RootCause("pool_saturation", F($"The connection pool (Maximum Pool Size {max:0}) is too small for the load: requests queue for a connection while the database is idle."), evidence);
        }

        if (holdGrowth >= 3)
        {
            evidence.Add(F($"queries: connection hold p99 {holdP99:0.0} ms vs {_baselineHoldP99Ms:0.0} ms normally (x{holdGrowth:0.0})"));
            evidence.Add(F($"pool: wait p99 {waitP99:0} ms, in use {w[^1].PoolUsed:0}/{max:0}"));
            return new RootCause("slow_queries", "Queries got slower; connections are held longer. Review the slowest statements (EXPLAIN).", evidence);
        }

        evidence.Add(F($"pool: in use {w[^1].PoolUsed:0}/{max:0}, waiting {pending:0}, wait p99 {waitP99:0} ms, hold p99 {holdP99:0.0} ms"));
        return new RootCause("unknown", "Users suffer but neither the pool, the queries, nor the database CPU explain it.", evidence);
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static double Median(IEnumerable<double> values)
    {
        var v = values.Where(x => !double.IsNaN(x)).OrderBy(x => x).ToArray();
        return v.Length == 0 ? double.NaN : v.Length % 2 == 1 ? v[v.Length / 2] : (v[(v.Length / 2) - 1] + v[v.Length / 2]) / 2;
    }
}
