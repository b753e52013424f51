using Lifeguard.Cli.Drill.Detection;
using Lifeguard.Cli.Drill.Engine;
using Lifeguard.Cli.Drill.Faults;
using Lifeguard.Cli.Drill.Mitigations;
using Lifeguard.Diagnosis;
using Npgsql;
using static Lifeguard.Cli.Drill.Reporting.DrillNarrator;

namespace Lifeguard.Cli.Drill.Scenarios;

/// <summary>
/// The pooler drill's second case, run on the same site and PgBouncer once the first (the shrunk pool) has recovered:
/// the pooler's pool back at the site's normal size, a report job holds every one of its server connections
/// (<see cref="PoolerHold"/>), the site's live diagnosis must name <c>pooler_saturated</c> with the holder (not the
/// server down, not the application's pool), the mitigation ends the holder on the server, and the same traffic
/// verifies recovery against the drill's normal phase. Phases: held, held-mitigated.
/// </summary>
internal sealed class PoolerHeldCase(DrillEnvironment env, NpgsqlConnection admin)
{
    public async Task<PoolerHeldRun> RunAsync(SiteProcess site, DrillPgBouncer pooler, string siteConnectionString, int pool, double rate, DrillPhase normal, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(site);
        ArgumentNullException.ThrowIfNull(pooler);
        ArgumentNullException.ThrowIfNull(normal);
        var options = env.Options;
        await pooler.SetPoolSizeAsync(pool, ct).ConfigureAwait(false);
        env.Narrator.Say(F($"second case: PgBouncer's pool at the site's normal size ({pool}); a report job will hold every server connection of it"));

        await using var hold = new PoolerHold(pooler, siteConnectionString, env.Database.DirectConnectionString);
        var detector = new IncidentDetector(options.Slo);
        RootCause? cause = null;
        var faultStart = 0.0;
        double? holderAt = null;
        DrillPhase held, verify;
        DrillMitigation mitigation;
        var response = new FaultResponse(env, hold, admin, pool, () => site.ManagementUrl, _ => false, ct);
        await using (response.ConfigureAwait(false))
        {
            async Task InjectAsync()
            {
                await hold.InjectAsync(ct).ConfigureAwait(false);
                faultStart = env.Timeline.Now;
                response.ArmFallback(options.IncidentMax - TimeSpan.FromSeconds(3));
                env.Narrator.Injected(hold.Description);
            }

            void Watch(DrillSample s, Lifeguard.Diagnosis.DiagnosisReport? d)
            {
                var events = detector.Observe(s, d, faultStart);
                if (events.HasFlag(DetectorEvents.Detected)) env.Narrator.Detected(detector.DetectedAt!.Value, detector.DetectedByUsers, d is null ? null : DiagnosisCauses.NameOf(d.Cause));
                if (events.HasFlag(DetectorEvents.Named))
                {
                    cause = RootCause.From(detector.Named!);
                    env.Narrator.RootCauseNamed(detector.NamedAt, cause);
                    response.OnNamed(detector.Named!);
                }

                // The queue is named within seconds; its holder once its statement has run Lifeguard:Diagnosis:
                // PoolerHolderSeconds (5 s): the case's cause is the diagnosis that names the holder, timed when it does.
                if (cause is not null && holderAt is null && d is not null && PoolerMitigations.NamedHolder(d) is not null)
                {
                    holderAt = Math.Max(detector.NamedAt ?? 0, Math.Round(s.T - faultStart, 1));
                    cause = RootCause.From(d);
                    env.Narrator.Say(F($"[{s.T,5:0}s] the diagnosis names the holder after {holderAt:0} s: {d.Summary}"));
                }
            }

            held = await env.Phases.RunAsync(new PhasePlan(DrillPhaseKind.Held, site, pool, rate, options.IncidentMax)
            {
                Watch = Watch,
                StopEarly = response.FaultPhaseEnded,
                BeforeLoad = InjectAsync,
            }).ConfigureAwait(false);
            response.Mitigate(null);
            mitigation = await response.CompletedAsync().ConfigureAwait(false);
        }

        await DrainedAsync(site, ct).ConfigureAwait(false);
        verify = await env.Phases.RunAsync(new PhasePlan(DrillPhaseKind.HeldMitigated, site, pool, rate, options.FixedPhase) { StopEarly = ct }).ConfigureAwait(false);
        var recovered = DrillThresholds.Recovered(verify, normal);
        env.Narrator.Recovery(recovered, verify, normal);
        var expected = DiagnosisCauses.NameOf(DiagnosisCause.PoolerSaturated);
        if (cause is not null && cause.Kind != expected) env.Narrator.WrongCause(cause.Kind, DrillFaults.Pooler, expected);
        return new PoolerHeldRun(held, verify, new DrillCase(
            PoolerHeldRun.Name, hold.Description, expected, cause, detector.DetectedAt, cause is null ? null : holderAt ?? detector.NamedAt,
            recovered ? Math.Round(verify.EndS - faultStart, 1) : null, mitigation, recovered, verify.P99Ms, [held.Name, verify.Name]));
    }

    // The requests queued behind the holder (tens of them, in the site's pool and in the pooler) are served once it ends:
    // the verification starts when the site's pool has no waiter left (at most 5 s), so it measures the same traffic
    // as the first case's, not the backlog's tail. The wait counts in the time to resolution.
    private static async Task DrainedAsync(SiteProcess site, CancellationToken ct)
    {
        using var probe = new SiteProbe(site.ManagementUrl);
        for (var i = 0; i < 10; i++)
        {
            try
            {
                if ((await probe.ReadPoolAsync().ConfigureAwait(false)).Waiters == 0) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or InvalidOperationException or System.Text.Json.JsonException)
            {
                // a busy site missed one read: the next covers it
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), ct).ConfigureAwait(false);
        }
    }
}

/// <summary>What the pooler drill's second case ran: its two phases and its case in the report.</summary>
internal sealed record PoolerHeldRun(DrillPhase Held, DrillPhase Verify, DrillCase Case)
{
    /// <summary>The case's name in drill.json (cases[].name).</summary>
    public const string Name = "held";
}
