using Lifeguard.Cli.Drill.Detection;
using Lifeguard.Cli.Drill.Engine;
using Lifeguard.Cli.Drill.Faults;
using Lifeguard.Cli.Drill.Mitigations;
using Lifeguard.Cli.Drill.Reporting;
using Npgsql;
using Lifeguard.Diagnosis;

namespace Lifeguard.Cli.Drill.Scenarios;

/// <summary>
/// The drills of the faults other than the pool: the website runs with a right-sized pool under steady traffic, the
/// fault is injected for real, the site's own diagnoser (/lifeguard/diagnosis on its management address) names the
/// cause, the drill applies the mitigation that fits the cause it named (never a bigger pool), and the same traffic
/// verifies recovery. Phases: normal, fault, [the demonstration's], mitigated.
/// </summary>
internal sealed class FaultScenario(DrillEnvironment env, IncidentLink? incidents)
{
    /// <summary>The operator's own session: never a slot holder to end.</summary>
    public const string OperatorApplication = "lifeguard-drill-operator";

    private DrillOptions Options => env.Options;
    private DrillNarrator Say => env.Narrator;

    public async Task<DrillReport> RunAsync(DateTimeOffset startedAt, CancellationToken ct)
    {
        var fault = Options.Fault;
        var expected = DrillFaults.ExpectedCause(fault);
        var checkout = env.Database.Checkout;

        // The operator's own session, opened before the fault: it still works when the fault takes every slot.
        await using var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(env.Database.DirectConnectionString) { Pooling = false, ApplicationName = OperatorApplication }.ConnectionString);
        await admin.OpenAsync(ct).ConfigureAwait(false);

        var pool = Options.HealthyPoolSize;
        var rate = Options.NormalRate;
        var settings = SiteDatabase.SiteSettings();
        var cs = new NpgsqlConnectionStringBuilder(env.SiteConnectionString(pool, Options.MisconfiguredTimeoutSeconds));
        if (fault == DrillFaults.ConnectionLimit)
        {
            // Pools open and close connections as traffic varies; idle ones close after a few seconds here, so the site
            // needs new slots during the fault as it would over a day.
            cs.ConnectionIdleLifetime = 2;
            cs.ConnectionPruningInterval = 1;
        }

        SiteProcess? site = null;
        // The pooler fault's PgBouncer outlives the fault (disposed after it: the site connects through it to the end).
        await using var pgbouncer = fault == DrillFaults.Pooler ? await DrillFaults.StartPoolerAsync(env, pool, ct).ConfigureAwait(false) : null;
        await using var injected = pgbouncer is not null
            ? new PoolerShrink(pgbouncer, pool, new NpgsqlConnectionStringBuilder(cs.ConnectionString) { Port = pgbouncer.Port, NoResetOnClose = true }.ConnectionString)
            : DrillFaults.Create(fault, env, () => site!.Url);
        if (injected is PoolerShrink shrink)
        {
            // The site through PgBouncer in transaction mode (the relay behind it), its diagnoser reading the pooler's admin
            // console and the server directly: the setup docs/pooler.md describes.
            cs.Port = shrink.Pooler.Port;
            cs.NoResetOnClose = true;
            settings["Lifeguard__Diagnosis__Pooler__ConnectionString"] = shrink.Pooler.AdminConnectionString;
            settings["Lifeguard__Diagnosis__Postgres__ConnectionString"] = env.Database.DirectConnectionString;
            Say.Say(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"PgBouncer (transaction mode, pool {pool}) started on 127.0.0.1:{shrink.Pooler.Port}; the site connects through it"));
        }
        if (fault == DrillFaults.Leak)
        {
            // Only the drill turns the site's leak switch on, for this site; the guard reports leases held over 2 s.
            settings[LeakInjector.SwitchSetting] = "true";
            settings["Lifeguard__LeakDetectionThreshold"] = "00:00:02";
        }

        Say.StartingSite(pool, "right-sized; the fault is elsewhere");
        var demonstration = Demonstration.Exists(fault) ? new Demonstration(env, fault) : null;
        var detector = new IncidentDetector(Options.Slo);
        DrillPhase normal, faultPhase, verify;
        RootCause? cause = null;
        DrillMitigation mitigation;
        var faultStart = 0.0;
        SiteProcess? side = null;
        DrillComparison? comparison = null;
        IReadOnlyList<DrillPhase> demoPhases = [];
        var demoS = 0.0;
        FaultResponse? response = null;
        PoolerHeldRun? held = null;
        try
        {
            (site, side) = await StartSitesAsync(cs, settings, demonstration, ct).ConfigureAwait(false);
            if (side is not null)
            {
                Say.DemoSiteStarted(demonstration!.SiteDescription(pool));
                // The same users log in now, beside the first site's (fewer would read less data, a warmer cache: an unfair
                // run). Then both sites warm their pools alike, so neither run pays alone for opening connections under the fault.
                await Task.WhenAll(env.Load.RunnerAsync(site), env.Load.RunnerAsync(side)).ConfigureAwait(false);
                await Task.WhenAll(env.Load.WarmPoolAsync(site), env.Load.WarmPoolAsync(side)).ConfigureAwait(false);
            }

            normal = await env.Phases.RunAsync(new PhasePlan(DrillPhaseKind.Normal, site, pool, rate, Options.NormalPhase) { StopEarly = ct }).ConfigureAwait(false);
            Say.FaultNormal(normal);

            var hasSide = side is not null;
            response = new FaultResponse(env, injected, admin, pool, () => site!.ManagementUrl, c => hasSide && demonstration!.Fits(c), ct);
            async Task InjectAsync()
            {
                await injected.InjectAsync(ct).ConfigureAwait(false);
                faultStart = env.Timeline.Now;
                // A fault never named is removed before the phase ends, so blocked requests finish and the drill ends.
                response.ArmFallback(Options.IncidentMax - TimeSpan.FromSeconds(3));
                Say.Injected(injected.Description);
            }

            void Watch(DrillSample s, Lifeguard.Diagnosis.DiagnosisReport? d)
            {
                var events = detector.Observe(s, d, faultStart);
                if (events.HasFlag(DetectorEvents.Detected)) Say.Detected(detector.DetectedAt!.Value, detector.DetectedByUsers, d is null ? null : DiagnosisCauses.NameOf(d.Cause));
                if (!events.HasFlag(DetectorEvents.Named)) return;
                var named = detector.Named!;
                cause = RootCause.From(named);
                Say.RootCauseNamed(detector.NamedAt, cause);
                incidents?.Detected(fault, cause, s.T - faultStart, site!.ManagementUrl);
                response.OnNamed(named);
            }

            faultPhase = await env.Phases.RunAsync(new PhasePlan(DrillPhaseKind.Fault, site, pool, rate, Options.IncidentMax)
            {
                Watch = Watch,
                StopEarly = response.FaultPhaseEnded,
                BeforeLoad = InjectAsync,
            }).ConfigureAwait(false);

            if (response.Demonstrate is { } demo && side is not null)
            {
                var demoStart = env.Timeline.Now;
                (demoPhases, comparison) = await demonstration!.RunAsync(normal, faultPhase, site, side, pool, rate, ct).ConfigureAwait(false);
                demoS = Math.Round(env.Timeline.Now - demoStart, 1);
                response.Mitigate(demo);
            }

            if (side is not null)
            {
                await side.DisposeAsync().ConfigureAwait(false);
                side = null;
            }

            response.Mitigate(null);
            mitigation = await response.CompletedAsync().ConfigureAwait(false);
            if (mitigation.RestartSite)
            {
                // The leak's cure: the same site restarted with the fault switch off (its leaked connections go with the old process).
                settings.Remove(LeakInjector.SwitchSetting);
                await site.DisposeAsync().ConfigureAwait(false);
                site = null;
                Say.RestartingWithoutLeak();
                site = await SiteProcess.StartAsync(checkout, cs.ConnectionString, settings, ct).ConfigureAwait(false);
            }

            verify = await env.Phases.RunAsync(new PhasePlan(DrillPhaseKind.Mitigated, site, pool, rate, Options.FixedPhase) { StopEarly = ct }).ConfigureAwait(false);
            if (injected is PoolerShrink first)
            {
                // The second case on the same site and pooler: the first's batch job stopped, then a report job holds the pool.
                await first.DisposeAsync().ConfigureAwait(false);
                Say.Recovery(DrillThresholds.Recovered(verify, normal), verify, normal);
                held = await new PoolerHeldCase(env, admin).RunAsync(site, first.Pooler, cs.ConnectionString, pool, rate, normal, ct).ConfigureAwait(false);
            }
        }
        finally
        {
            if (response is not null) await response.DisposeAsync().ConfigureAwait(false);
            if (site is not null) await site.DisposeAsync().ConfigureAwait(false);
            if (side is not null) await side.DisposeAsync().ConfigureAwait(false);
        }

        var recovered = DrillThresholds.Recovered(verify, normal);
        if (held is null) Say.Recovery(recovered, verify, normal);
        if (cause is not null && cause.Kind != expected) Say.WrongCause(cause.Kind, fault, expected);

        return DrillReports.Fault(env, startedAt, new FaultRun(
            fault, injected.Description, expected, normal, faultPhase, demoPhases, comparison, demoS, verify, faultStart,
            cause, detector.DetectedAt, cause is null ? null : detector.NamedAt, mitigation, recovered) { Held = held });
    }

    /// <summary>The site, and beside it a demonstration's second site (one start-up paid, not two). One failed: the
    /// other, started or not, is not left running.</summary>
    private async Task<(SiteProcess Site, SiteProcess? Side)> StartSitesAsync(NpgsqlConnectionStringBuilder cs, IDictionary<string, string> settings, Demonstration? demonstration, CancellationToken ct)
    {
        var starting = SiteProcess.StartAsync(env.Database.Checkout, cs.ConnectionString, settings, ct);
        var startingSide = demonstration?.StartSiteAsync(cs, settings, ct);
        SiteProcess site;
        try
        {
            site = await starting.ConfigureAwait(false);
        }
        catch
        {
            if (startingSide is not null)
            {
                try
                {
                    await (await startingSide.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
                }
                catch (Exception e) when (e is InvalidOperationException or TimeoutException or OperationCanceledException)
                {
                    // The first site's failure is the one reported.
                }
            }

            throw;
        }

        try
        {
            return (site, startingSide is null ? null : await startingSide.ConfigureAwait(false));
        }
        catch
        {
            await site.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
