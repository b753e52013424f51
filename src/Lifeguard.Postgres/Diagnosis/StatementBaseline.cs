using Lifeguard.Diagnosis;

namespace Lifeguard.Postgres.Diagnosis;

/// <summary>
/// Which statements got slower: each statement's mean over a recent window (from pg_stat_statements' cumulative counters)
/// against its own baseline. A statement first seen takes its mean so far as its baseline; the baseline then follows the
/// statement slowly (a moving average), and not at all while the statement is reported slowed.
/// </summary>
internal sealed class StatementBaseline(PostgresDiagnosisOptions options)
{
    // Weights of the old baseline and the newest window's mean: a new normal is learnt over some tens of samples.
    private const double OldWeight = 0.9;
    private const double NewWeight = 0.1;

    private readonly Queue<(long At, IReadOnlyDictionary<string, StatementTotals> Totals)> _history = new();
    private readonly Dictionary<string, double> _baseline = new(StringComparer.Ordinal);

    /// <summary>Forgets the window (not the baselines): after a reconnect the counters may have been reset.</summary>
    public void Restart() => _history.Clear();

    /// <summary>
    /// Takes one reading of the counters at <paramref name="timestamp"/> (in ticks of <paramref name="frequency"/> per
    /// second) and returns the slowed statements, largest share of execution time first, and the execution time of all
    /// statements per second over the window. The first reading only starts the window.
    /// </summary>
    public (List<StatementSlowdown> Slowed, double ExecutionMsPerSecond) Observe(long timestamp, long frequency, IReadOnlyDictionary<string, StatementTotals> now)
    {
        _history.Enqueue((timestamp, now));
        var windowTicks = (long)(options.StatementWindowSeconds * frequency);
        while (_history.Count > 2 && timestamp - _history.ElementAt(1).At >= windowTicks) _history.Dequeue();
        var (thenAt, then) = _history.Peek();
        var seconds = (timestamp - thenAt) / (double)frequency;
        if (seconds <= 0) return ([], 0);

        double allMs = 0;
        var deltas = new List<(string Id, long Calls, double Ms)>();
        foreach (var (id, totals) in now)
        {
            var before = then.TryGetValue(id, out var p) ? p : default;
            var dc = totals.Calls - before.Calls;
            var dt = totals.TotalMs - before.TotalMs;
            if (dc <= 0 || dt < 0) continue; // no calls in the window, or statistics were reset
            allMs += dt;
            deltas.Add((id, dc, dt));
        }

        var slowed = new List<StatementSlowdown>();
        foreach (var (id, calls, ms) in deltas)
        {
            var mean = ms / calls;
            if (!_baseline.TryGetValue(id, out var baseline))
            {
                // First seen: its mean so far (all its calls before this window too) is its baseline.
                var first = then.TryGetValue(id, out var t) ? t : now[id];
                baseline = first.TotalMs / Math.Max(1, first.Calls);
                _baseline[id] = baseline;
            }
            if (mean >= options.StatementReportFactor * baseline && calls >= options.StatementMinCalls)
            {
                slowed.Add(new StatementSlowdown(id, now[id].Query, Math.Round(calls / seconds, 2), Math.Round(mean, 3), Math.Round(baseline, 4),
                    allMs <= 0 ? 0 : Math.Round(ms / allMs, 3)));
            }
            else
            {
                // Adapts slowly to a new normal, and not at all while the statement is slowed.
                _baseline[id] = (OldWeight * baseline) + (NewWeight * mean);
            }
        }
        // Bounded memory: statements come and go (ad-hoc text), the counters read are the top MaxStatements.
        if (_baseline.Count > 4 * options.MaxStatements) _baseline.Clear();
        return (slowed.OrderByDescending(x => x.ShareOfExecution).ToList(), allMs / seconds);
    }
}
