using System.Globalization;
using System.Text;
using Lifeguard.Sizing;

namespace Lifeguard.Cli.Sweep;

/// <summary>Renders a sweep for people (and for BENCHMARKS.md): every size, then the four ways of choosing one side by side.</summary>
internal static class SweepMarkdown
{
    public static string Render(SweepReport r, string? command)
    {
        var md = new StringBuilder();
        void L(FormattableString s) => md.AppendLine(s.ToString(CultureInfo.InvariantCulture));
        var s = r.Settings;
        L($"# Lifeguard sweep — {r.StartedAt:yyyy-MM-dd HH:mm} UTC");
        L($"");
        if (command is not null) L($"Command: `{command}`");
        L($"");
        L($"One fixed open-loop load of {s.RateRps:0.#} dashboard requests/s over {s.Users} logged-in users, {s.DurationPerSizeS:0} s per pool size{(s.Rounds > 1 ? $" in each of {s.Rounds} interleaved rounds (rows are medians)" : "")} after {s.WarmUpS:0} s of warm-up; {s.NetworkDelayMs:0.#} ms one-way delay between website and PostgreSQL; acquire Timeout {s.PoolTimeoutS} s; database cores {s.DatabaseCores} (machine {s.MachineCores}); server connection budget {s.ServerConnectionBudget}. Sweep took {r.DurationS:0} s.");
        L($"");
        L($"| pool size | ok/s | p50 ms | p99 ms{(s.Rounds > 1 ? " (each round)" : "")} | errors | wait p99 ms (measured) | wait p99 ms (model) | hold mean ms | hold p99 ms | leases/s | db cpu (cores) |");
        L($"| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var p in r.Points)
        {
            var predicted = p.PredictedWaitP99Ms is { } w ? w.ToString("0.0", CultureInfo.InvariantCulture) : "unbounded";
            var p99 = p.P99MsByRound.Count > 1 ? F($"{p.P99Ms:0.0} ({string.Join(" / ", p.P99MsByRound.Select(x => x.ToString("0", CultureInfo.InvariantCulture)))})") : F($"{p.P99Ms:0.0}");
            L($"| {p.PoolSize} | {p.ThroughputRps:0.0} | {p.P50Ms:0.0} | {p99} | {p.ErrorRate:P1} | {p.PoolWaitP99Ms:0.0} | {predicted} | {p.HoldMeanMs:0.0} | {p.HoldP99Ms:0.0} | {p.LeasesPerSecond:0.0} | {p.DbCpuCores:0.00} |");
        }

        L($"");
        var a = r.Advice;
        L($"Advisor input, measured at pool size {a.ReferencePoolSize}: {a.ArrivalRatePerSecond:0.#} leases/s, hold mean {a.HoldMeanMs:0.##} ms, p99 {a.HoldP99Ms:0.##} ms; {a.DatabaseCores} database cores; measured saturation {(a.MeasuredSaturationConnections is { } sat ? sat.ToString(CultureInfo.InvariantCulture) + " busy connections" : "not measured")}; budget {a.ServerConnectionBudget}; goal p99 wait ≤ {s.WaitGoalMs:0.#} ms. Verdict `{a.Verdict}`: **Maximum Pool Size={a.RecommendedMaxPoolSize}** (predicted p99 wait {(a.PredictedWaitP99Ms is { } pw ? pw.ToString("0.0", CultureInfo.InvariantCulture) + " ms" : "unbounded")}).");
        L($"");
        L($"| rule | pool size | ok/s | p50 ms | p99 ms | errors | wait p99 ms | within {s.Tolerance:P0} of best |");
        L($"| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (var c in r.Comparison)
        {
            L($"| {Name(c.Rule)} | {c.PoolSize} | {c.ThroughputRps:0.0} | {c.P50Ms:0.0} | {c.P99Ms:0.0} | {c.ErrorRate:P1} | {c.PoolWaitP99Ms:0.0} | {(c.WithinTolerance ? "yes" : "no")} |");
        }

        L($"");
        L($"Best p99 {r.BestP99Ms:0.0} ms, best throughput {r.BestThroughputRps:0.0} ok/s. Goal (advisor's size within {s.Tolerance:P0} of both): **{(r.AdvisorWithinTolerance ? "met" : "not met")}**.");
        return md.ToString();
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    public static string Name(string rule) => rule switch
    {
        "advisor" => "Lifeguard advisor",
        "best_measured" => "best measured (smallest within tolerance)",
        "hikaricp_cores_x2_plus_1" => "HikariCP rule (cores × 2 + 1)",
        "npgsql_default" => "Npgsql default",
        _ => rule,
    };
}
