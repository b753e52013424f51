using System.Globalization;
using System.Text;

namespace Lifeguard.Cli.Drill;

/// <summary>Renders the drill's report for people: what happened, why, what fixed it, and how that compares with the postmortem.</summary>
internal static class DrillMarkdown
{
    public static string Render(DrillReport r, string? plotFileName)
    {
        var md = new StringBuilder();
        void L(FormattableString s) => md.AppendLine(s.ToString(CultureInfo.InvariantCulture));
        L($"# Lifeguard drill `--fault {r.Fault}` — {r.StartedAt:yyyy-MM-dd HH:mm} UTC{(r.Quick ? " (quick)" : "")}");
        L($"");
        RenderIncident(r, md);
        if (r.Fault != Faults.DrillFaults.Pool)
        {
            RenderFault(r, md, plotFileName);
            return md.ToString();
        }

        L($"The website ran with `Maximum Pool Size={r.Settings.MisconfiguredMaxPoolSize}` (the misconfiguration), behind {r.Settings.NetworkDelayMs:0.#} ms of one-way network delay to PostgreSQL. Normal traffic was {r.Settings.NormalRateRps:0.#} req/s, peak traffic {r.Settings.PeakRateRps:0.#} req/s, over {r.Settings.Users} logged-in users. SLO: p99 ≤ {r.Settings.SloMs:0} ms. Drill duration {r.DurationS:0} s.");
        L($"");
        if (r.RootCause is { } c)
        {
            L($"## Root cause: `{c.Kind}`");
            L($"");
            L($"{c.Summary} Detected {r.DetectedAfterS:0} s after peak traffic began.");
            L($"");
            foreach (var e in c.Evidence) L($"- {e}");
        }
        else
        {
            L($"## No incident detected");
        }

        L($"");
        L($"## Fix");
        L($"");
        L($"Sizing advisor: `Maximum Pool Size={r.RecommendedMaxPoolSize}`. {r.RecommendationReasoning}");
        L($"");
        L($"{(r.Recovered ? "**Recovered**" : "**Not recovered**")}: p99 {r.RecoveryP99Ms:0} ms under peak traffic (normal traffic p99 {r.BaselineP99Ms:0} ms).");
        L($"");
        L($"## Phases");
        L($"");
        L($"| phase | max pool size | rate (req/s) | requests | errors | error rate | p50 ms | p99 ms | > 10 s | > SLO | pool wait p99 ms | hold mean ms |");
        L($"|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var p in r.Phases)
        {
            L($"| {p.Name} | {p.MaxPoolSize} | {p.RateRps:0.#} | {p.Requests} | {p.Errors} | {p.ErrorRate:P1} | {p.P50Ms:0} | {p.P99Ms:0} | {p.ShareOver10s:P0} | {p.ShareOverSlo:P0} | {p.PoolWaitP99Ms:0} | {p.HoldMeanMs:0.0} |");
        }

        L($"");
        L($"## Against the postmortem of 2023-02-10");
        L($"");
        L($"| | postmortem | this drill |");
        L($"|---|---|---|");
        L($"| detection (from onset) | 0 min (response-time alert at 10:45) | {Seconds(r.DetectedAfterS)} |");
        L($"| root cause named (from onset) | 75 min (12:00, after chasing slow queries) | {Seconds(r.RootCauseAfterS)} |");
        L($"| resolution verified (from onset) | 135 min (13:00) | {Seconds(r.ResolvedAfterS)} |");
        L($"| fix | \"increase the pool size\" (a guess) | advisor: {r.RecommendedMaxPoolSize} connections, from measured load |");
        var incident = r.Phases.FirstOrDefault(p => p.Name == "incident");
        if (incident is not null)
        {
            L($"| users slower than 10 s | 80% | {incident.ShareOver10s:P0} during the incident phase |");
            L($"| users with errors | 20% | {incident.ErrorRate:P0} during the incident phase |");
        }

        if (r.Comparison is { Kind: DrillComparison.AdmissionReplay } replay)
        {
            var with = replay.Runs[^1];
            L($"| users slower than 10 s, admission control on | — | {with.ShareOver10s:P0} during the replay ({with.ShareRetryLater:P0} answered 503 + Retry-After) |");
        }

        RenderComparison(r, md);

        if (plotFileName is not null)
        {
            L($"");
            L($"## Timeline");
            L($"");
            L($"![timeline]({plotFileName})");
        }

        return md.ToString();
    }

    private static void RenderFault(DrillReport r, StringBuilder md, string? plotFileName)
    {
        void L(FormattableString s) => md.AppendLine(s.ToString(CultureInfo.InvariantCulture));
        if (r.Fleet is { } fleet)
            L($"{fleet.Instances} website instances on one PostgreSQL, each with `Maximum Pool Size={fleet.PoolMaxPerInstance}` (fine alone), {r.Settings.NetworkDelayMs:0.#} ms one-way from it; normal traffic {r.Settings.NormalRateRps:0.#} req/s per instance, then a surge of {fleet.UsersPerInstance} users per instance. Fault: {r.FaultDescription}. SLO: p99 ≤ {r.Settings.SloMs:0} ms. Drill duration {r.DurationS:0} s.");
        else
            L($"The website ran with a right-sized `Maximum Pool Size={r.Settings.MisconfiguredMaxPoolSize}` under {r.Settings.NormalRateRps:0.#} req/s over {r.Settings.Users} logged-in users, {r.Settings.NetworkDelayMs:0.#} ms one-way from PostgreSQL. Fault injected{(r.Cases is { Count: > 1 } cs ? $" (case `{cs[0].Name}`; the later cases under Cases)" : "")}: {r.FaultDescription}. SLO: p99 ≤ {r.Settings.SloMs:0} ms. Drill duration {r.DurationS:0} s.");
        L($"");
        if (r.RootCause is { } c)
        {
            L($"## Root cause named by the live diagnoser: `{c.Kind}`{(c.Kind == r.ExpectedCause ? "" : $" (expected `{r.ExpectedCause}`)")}");
            L($"");
            L($"{c.Summary} Detected {Seconds(r.DetectedAfterS)} after the fault, cause named after {Seconds(r.RootCauseAfterS)}.");
            L($"");
            foreach (var e in c.Evidence) L($"- {e}");
            if (c.Avoid.Length > 0)
            {
                L($"");
                L($"Avoid: {c.Avoid}");
            }
        }
        else
        {
            L($"## No cause named (expected `{r.ExpectedCause}`)");
        }

        L($"");
        L($"## Mitigation");
        L($"");
        if (r.Mitigation is { } m) L($"{m.Action}. Maximum Pool Size {m.PoolSizeBefore} → {m.PoolSizeAfter}.");
        L($"");
        L($"{(r.Recovered ? "**Recovered**" : "**Not recovered**")}: p99 {r.RecoveryP99Ms:0} ms under the same traffic (normal p99 {r.BaselineP99Ms:0} ms).");
        RenderComparison(r, md);
        Fleet.FleetMarkdown.Render(r.Fleet, md);
        RenderCases(r, md);
        L($"");
        L($"## Phases");
        L($"");
        L($"| phase | rate (req/s) | requests | errors | error rate | p50 ms | p99 ms | > 10 s | > SLO | pool wait p99 ms | hold mean ms |");
        L($"|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var p in r.Phases)
        {
            L($"| {p.Name} | {p.RateRps:0.#} | {p.Requests} | {p.Errors} | {p.ErrorRate:P1} | {p.P50Ms:0} | {p.P99Ms:0} | {p.ShareOver10s:P0} | {p.ShareOverSlo:P0} | {p.PoolWaitP99Ms:0} | {p.HoldMeanMs:0.0} |");
        }

        if (plotFileName is not null)
        {
            L($"");
            L($"![timeline]({plotFileName})");
        }
    }

    /// <summary>A drill of several cases (the pooler: shrunk, then held): one row each with its timings, then each later
    /// case's diagnosis as the first's is shown above.</summary>
    private static void RenderCases(DrillReport r, StringBuilder md)
    {
        if (r.Cases is not { Count: > 1 } cases) return;
        void L(FormattableString s) => md.AppendLine(s.ToString(CultureInfo.InvariantCulture));
        L($"");
        L($"## Cases");
        L($"");
        L($"| case | phases | cause named | detected after | named after | mitigation | recovered | resolved after | p99 ms after |");
        L($"|---|---|---|---:|---:|---|---|---:|---:|");
        foreach (var c in cases)
        {
            var named = c.RootCause is null ? "none" : c.RootCause.Kind == c.ExpectedCause ? $"`{c.RootCause.Kind}`" : $"`{c.RootCause.Kind}` (expected `{c.ExpectedCause}`)";
            L($"| {c.Name} | {string.Join(", ", c.Phases)} | {named} | {Seconds(c.DetectedAfterS)} | {Seconds(c.RootCauseAfterS)} | {(c.Mitigation?.Action ?? "—").Replace("|", "/", StringComparison.Ordinal)} | {(c.Recovered ? "yes" : "no")} | {Seconds(c.ResolvedAfterS)} | {c.RecoveryP99Ms:0} |");
        }

        foreach (var c in cases.Skip(1))
        {
            L($"");
            L($"### Case `{c.Name}`: {c.FaultDescription}");
            L($"");
            if (c.RootCause is { } cause)
            {
                L($"Named by the live diagnoser: `{cause.Kind}` after {Seconds(c.RootCauseAfterS)}. {cause.Summary}");
                L($"");
                foreach (var e in cause.Evidence) L($"- {e}");
                if (cause.Avoid.Length > 0)
                {
                    L($"");
                    L($"Avoid: {cause.Avoid}");
                }
            }
            else
            {
                L($"No cause named (expected `{c.ExpectedCause}`).");
            }

            L($"");
            if (c.Mitigation is { } m) L($"Mitigation: {m.Action}. Maximum Pool Size {m.PoolSizeBefore} → {m.PoolSizeAfter}.");
            L($"");
            L($"{(c.Recovered ? "**Recovered**" : "**Not recovered**")}: p99 {c.RecoveryP99Ms:0} ms under the same traffic (normal p99 {r.BaselineP99Ms:0} ms).");
        }
    }

    /// <summary>The side-by-side runs: one row per run, the figures the question needs.</summary>
    private static void RenderComparison(DrillReport r, StringBuilder md)
    {
        if (r.Comparison is not { } c) return;
        void L(FormattableString s) => md.AppendLine(s.ToString(CultureInfo.InvariantCulture));
        var title = c.Kind switch
        {
            DrillComparison.AdmissionReplay => "The incident replayed with admission control",
            DrillComparison.AdmissionUnderCpu => "Admission control while the database is CPU-bound",
            DrillComparison.FleetGovernor => "The same surge with the fleet governor",
            _ => "A bigger pool against the slower path",
        };
        L($"");
        L($"## {title}");
        L($"");
        if (c.Kind == DrillComparison.FleetGovernor)
            L($"{c.Question} Each run is its own set of website processes under the same surge, for as long; the second run is the mitigation.");
        else
            L($"{c.Question} Each run is its own website process under the same traffic{(r.Quick ? $"; slow means ≥ {c.SlowThresholdS:0} s in the quick drill (its pool timeout is 5 s, not 15 s)" : "")}. These runs took {r.ComparisonS:0} s, left out of the time to resolution.");
        L($"");
        L($"| run | max pool size | admission budget | rate (req/s) | requests | ≥ {c.SlowThresholdS:0} s | > 10 s | 503 + Retry-After | 503 p99 ms | shed by the guard | served p50 ms | served p99 ms | other errors | pool wait p99 ms |");
        L($"|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var x in c.Runs)
        {
            var budget = x.AdmissionBudgetMs is { } b ? string.Create(CultureInfo.InvariantCulture, $"{b:0} ms") : "off";
            L($"| {x.Label} | {x.MaxPoolSize} | {budget} | {x.RateRps:0.#} | {x.Requests} | {x.ShareSlow:P1} | {x.ShareOver10s:P1} | {x.RetryLater} ({x.ShareRetryLater:P0}) | {(x.RetryLater == 0 ? "—" : string.Create(CultureInfo.InvariantCulture, $"{x.RetryLaterP99Ms:0}"))} | {x.AdmissionRejections} | {x.ServedP50Ms:0} | {x.ServedP99Ms:0} | {x.OtherErrors} ({x.OtherErrorRate:P1}) | {x.PoolWaitP99Ms:0} |");
        }

        L($"");
        L($"{(c.Holds ? "**Shown**" : "**Not shown**")}: {c.Finding}");
    }

    // the incident service's record of this drill: the postmortem draft first, since that is what people open
    private static void RenderIncident(DrillReport r, StringBuilder md)
    {
        if (r.Incident is not { } i) return;
        md.AppendLine(i.PostmortemUrl is { } pm
            ? string.Create(CultureInfo.InvariantCulture, $"Incident [{i.Id}]({i.Url}) in the incident service ({i.Status}): [postmortem draft]({pm}) (API: {i.PostmortemApiUrl}).")
            : $"Incident service ({i.Service}): {i.Note}; no incident, no postmortem link.");
        md.AppendLine();
    }

    private static string Seconds(double? s) => s is { } v ? string.Create(CultureInfo.InvariantCulture, $"{v:0} s") : "—";
}
