using System.Globalization;
using Lifeguard.Cli.Drill.Engine;
using Lifeguard.Cli.Drill.Faults;
using Lifeguard.Cli.Drill.Reporting;
using Lifeguard.Diagnosis;
using Lifeguard.Diagnosis.Accuracy;
using Lifeguard.Testing.Faults;
using Npgsql;

namespace Lifeguard.Cli.Drill.Corpus;

/// <summary>
/// `lifeguard drill --corpus`: each scenario on a freshly started website (its own diagnoser, its own baseline) under
/// the scenario's traffic: normal, the fault (with its second fault and red herring), after it is removed. Every second
/// the site's diagnosis is read (/lifeguard/diagnosis, with the signals it judged) and kept as the scenario's trace.
/// Nothing is mitigated: the corpus measures the diagnosis, not the cure.
/// </summary>
internal sealed class CorpusRunner(DrillEnvironment env, int seed, Action<string> say)
{
    public async Task<CorpusTrace> RunAsync(CorpusScenario scenario, CancellationToken ct)
    {
        var options = env.Options;
        var faults = new[] { scenario.Fault, scenario.Second }.OfType<CorpusFaultDraw>().ToList();
        var poolFault = faults.FirstOrDefault(f => f.Kind == DrillFaults.Pool);
        var pool = poolFault is null ? scenario.PoolSize : Math.Max(1, (int)Math.Round(poolFault.Intensity));
        var settings = SiteDatabase.SiteSettings();
        var cs = new NpgsqlConnectionStringBuilder(env.SiteConnectionString(pool, options.MisconfiguredTimeoutSeconds));
        if (faults.Any(f => f.Kind == DrillFaults.ConnectionLimit))
        {
            // As the fault drill: pools open and close connections as traffic varies, so the site needs new slots during the fault.
            cs.ConnectionIdleLifetime = 2;
            cs.ConnectionPruningInterval = 1;
        }
        if (faults.Any(f => f.Kind == DrillFaults.Leak))
        {
            settings[LeakInjector.SwitchSetting] = "true";
            settings["Lifeguard__LeakDetectionThreshold"] = "00:00:02";
        }

        var seconds = new List<CorpusTraceSecond>();
        var t0 = 0.0;
        void Record(string phase, DrillSample s, DiagnosisReport? d)
        {
            lock (seconds)
                seconds.Add(new CorpusTraceSecond
                {
                    T = Math.Round(s.T - t0, 1),
                    Phase = phase,
                    LiveCause = d is null ? null : DiagnosisCauses.NameOf(d.Cause),
                    LiveConfidence = d?.Confidence ?? 0,
                    Signals = d?.Signals,
                });
        }

        say($"--- {scenario.Name}: {scenario.Description}");
        var injected = new List<IFaultInjector>();
        SiteProcess? site = null;
        // The pooler scenarios' PgBouncer, in front of the relay with the site's pool size, as the pooler drill starts it;
        // it outlives the faults (the site connects through it to the end).
        await using var bouncer = scenario.Pooler ? await DrillFaults.StartPoolerAsync(env, pool, ct).ConfigureAwait(false) : null;
        (DrillPgBouncer, string)? pooler = null;
        if (bouncer is not null)
        {
            // The site through PgBouncer in transaction mode, its diagnoser reading the pooler's admin console and the
            // server directly: the setup docs/pooler.md describes.
            cs.Port = bouncer.Port;
            cs.NoResetOnClose = true;
            settings["Lifeguard__Diagnosis__Pooler__ConnectionString"] = bouncer.AdminConnectionString;
            settings["Lifeguard__Diagnosis__Postgres__ConnectionString"] = env.Database.DirectConnectionString;
            pooler = (bouncer, cs.ConnectionString);
            say(F($"PgBouncer (transaction mode, pool {pool}) on 127.0.0.1:{bouncer.Port}; the site connects through it"));
        }
        try
        {
            site = await SiteProcess.StartAsync(env.Database.Checkout, cs.ConnectionString, settings, ct).ConfigureAwait(false);
            await env.Load.RunnerAsync(site).ConfigureAwait(false);
            await env.Load.WarmPoolAsync(site).ConfigureAwait(false);
            var busy = scenario.Load == CorpusLoads.Busy ? scenario.LoadFactor : 1;
            var rate = scenario.Rate * busy;
            t0 = env.Timeline.Now;
            var normal = await env.Phases.RunAsync(new PhasePlan(DrillPhaseKind.Normal, site, pool, rate, Seconds(scenario.NormalS))
            {
                StopEarly = ct,
                Watch = (s, d) => Record(CorpusPhases.Normal, s, d),
            }).ConfigureAwait(false);

            var faultRate = scenario.Load == CorpusLoads.Surge ? rate * scenario.LoadFactor : rate;
            if (scenario.Fault.Kind == DrillFaults.Pool)
            {
                // The pool's fault is traffic beyond what its connections serve: load_factor times that, measured just now.
                var capacity = DrillTraffic.PoolCapacity(pool, normal.LeasesPerRequest, normal.HoldMeanMs, scenario.Rate * 4);
                faultRate = DrillTraffic.PeakRate(capacity, scenario.Rate, scenario.LoadFactor);
            }

            async Task InjectAsync()
            {
                // The herring first: it must be in place before a restart takes the server away.
                foreach (var draw in new[] { scenario.Herring, scenario.Fault, scenario.Second }.OfType<CorpusFaultDraw>())
                {
                    var fault = CorpusFaults.Create(draw, scenario, env, () => site!.Url, pooler);
                    if (fault is null) continue;
                    injected.Add(fault);
                    await fault.InjectAsync(ct).ConfigureAwait(false);
                    say($"injected: {fault.Description}");
                }
            }

            var shifted = scenario.Load == CorpusLoads.Shift;
            var firstPart = shifted ? scenario.FaultS / 2 : scenario.FaultS;
            await env.Phases.RunAsync(new PhasePlan(DrillPhaseKind.Fault, site, pool, faultRate, Seconds(firstPart))
            {
                StopEarly = ct,
                BeforeLoad = InjectAsync,
                Watch = (s, d) => Record(CorpusPhases.Fault, s, d),
            }).ConfigureAwait(false);
            if (shifted)
            {
                // The traffic changes shape while the fault is in.
                await env.Phases.RunAsync(new PhasePlan(DrillPhaseKind.Fault, site, pool, faultRate * scenario.LoadFactor, Seconds(scenario.FaultS - firstPart))
                {
                    StopEarly = ct,
                    Watch = (s, d) => Record(CorpusPhases.Fault, s, d),
                }).ConfigureAwait(false);
            }

            await RemoveAsync(injected).ConfigureAwait(false);
            await env.Phases.RunAsync(new PhasePlan(DrillPhaseKind.Mitigated, site, pool, rate, Seconds(scenario.AfterS))
            {
                StopEarly = ct,
                Watch = (s, d) => Record(CorpusPhases.After, s, d),
            }).ConfigureAwait(false);
        }
        finally
        {
            await RemoveAsync(injected).ConfigureAwait(false);
            if (site is not null) await site.DisposeAsync().ConfigureAwait(false);
        }

        var header = scenario.TraceHeader(seed);
        return new CorpusTrace(header, seconds);
    }

    private static async Task RemoveAsync(List<IFaultInjector> injected)
    {
        // In the order injected, the herring first: its idle transaction must end before a dropped index is rebuilt
        // (CREATE INDEX CONCURRENTLY waits for every open transaction).
        foreach (var f in injected) await f.DisposeAsync().ConfigureAwait(false);
        injected.Clear();
    }

    private static TimeSpan Seconds(double s) => TimeSpan.FromSeconds(Math.Max(1, s));

    public static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
