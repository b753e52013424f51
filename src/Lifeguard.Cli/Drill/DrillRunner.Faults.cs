using System.Net;
using Lifeguard.Cli.Drill.Faults;
using Lifeguard.Diagnosis;
using Lifeguard.Testing.Network;
using Npgsql;

namespace Lifeguard.Cli.Drill;

/// <summary>
/// The drills of the faults other than the pool: the website runs with a right-sized pool under steady traffic, the
/// fault is injected for real, the site's own diagnoser (/lifeguard/diagnosis on its management address) names the
/// cause, the drill applies the mitigation that fits the cause it named (never a bigger pool), and the same traffic
/// verifies recovery.
/// </summary>
internal sealed partial class DrillRunner
{
    private async Task<DrillReport> RunFaultAsync(SiteDatabase database, DateTimeOffset startedAt, CancellationToken ct)
    {
        var fault = options.Fault;
        var expected = DrillFaults.ExpectedCause(fault);
        var checkout = database.Checkout;
        var directCs = database.DirectConnectionString;
        await using var proxy = new DelayRelay("127.0.0.1", options.PgPort, options.NetworkDelay);
        _probeConnectionString = directCs;
        _probe = await OpenProbeAsync(directCs, ct).ConfigureAwait(false);
        var budget = (await _probe.ReadBudgetAsync(ct).ConfigureAwait(false)).UsableConnections;
        _users = Math.Min(options.Users, await database.SeededUsersAsync(ct).ConfigureAwait(false));
        if (_users < 1) throw new InvalidOperationException("the database has no seeded users (user00001@lifeguard.local...): seed it with `dotnet Website.dll seed`.");
        var cores = Environment.ProcessorCount;
        _clock.Start();

        // The operator's own session, opened before the fault: it still works when the fault takes every slot.
        await using var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(directCs) { Pooling = false, ApplicationName = "lifeguard-drill-operator" }.ConnectionString);
        await admin.OpenAsync(ct).ConfigureAwait(false);

        var pool = options.HealthyPoolSize;
        var rate = options.NormalRate;
        var settings = SiteDatabase.SiteSettings();
        var cs = new NpgsqlConnectionStringBuilder(database.SiteConnectionString(proxy.Port, pool, options.MisconfiguredTimeoutSeconds));
        if (fault == DrillFaults.ConnectionLimit)
        {
            // Pools open and close connections as traffic varies; idle ones close after a few seconds here, so the site
            // needs new slots during the fault as it would over a day.
            cs.ConnectionIdleLifetime = 2;
            cs.ConnectionPruningInterval = 1;
        }

        SiteProcess? site = null;
        await using var injected = CreateFault(fault, database, directCs, cores, () => site!.Url, proxy);
        if (fault == DrillFaults.Leak)
        {
            // Only the drill turns the site's leak switch on, for this site; the guard reports leases held over 2 s.
            settings[LeakInjector.SwitchSetting] = "true";
            settings["Lifeguard__LeakDetectionThreshold"] = "00:00:02";
        }

        say($"starting the website with Maximum Pool Size={pool} (right-sized; the fault is elsewhere)");
        DrillPhase normal, faultPhase, verify;
        RootCause? cause = null;
        Lifeguard.Diagnosis.Diagnosis? named = null;
        double? detectedAt = null, causeAt = null;
        DrillMitigation? mitigation = null;
        var faultStart = 0.0;
        SiteProcess? side = null;
        DrillComparison? comparison = null;
        var demoPhases = new List<DrillPhase>();
        var demoS = 0.0;
        Timer? fallback = null;
        try
        {
            // A demonstration's second site starts beside the first, so the drill pays for one start-up, not two.
            var starting = SiteProcess.StartAsync(checkout, cs.ConnectionString, settings, ct);
            var startingSide = HasDemo(fault) ? StartDemoSiteAsync(fault, checkout, cs, settings, ct) : null;
            try
            {
                site = await starting.ConfigureAwait(false);
                if (startingSide is not null) side = await startingSide.ConfigureAwait(false);
            }
            finally
            {
                // One failed: the other, started or not, is not left running.
                if (site is null && startingSide is not null)
                {
                    try
                    {
                        side = await startingSide.ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is InvalidOperationException or TimeoutException or OperationCanceledException)
                    {
                        // The first site's failure is the one reported.
                    }
                }
            }

            if (side is not null)
            {
                say(F($"started a second website for the demonstration ({(fault == DrillFaults.Cpu ? $"admission control on, budget {(options.AdmissionBudget ?? DefaultAdmission).TotalMilliseconds:0} ms" : $"Maximum Pool Size={pool * options.BiggerPoolFactor}")}); it idles until the fault is named"));
                // The same users log in now, beside the first site's (fewer would read less data, a warmer cache: an unfair
                // run). Then both sites warm their pools alike, so neither run pays alone for opening connections under the fault.
                await Task.WhenAll(RunnerAsync(site), RunnerAsync(side)).ConfigureAwait(false);
                await Task.WhenAll(WarmAsync(site), WarmAsync(side)).ConfigureAwait(false);
            }

            normal = await RunPhaseAsync("normal", site, pool, rate, options.NormalPhase, null, ct).ConfigureAwait(false);
            say(F($"normal traffic: p99 {normal.P99Ms:0} ms, errors {normal.ErrorRate:P1}"));

            async Task Inject()
            {
                await injected.InjectAsync(ct).ConfigureAwait(false);
                faultStart = _clock.Elapsed.TotalSeconds;
                // A fault never named is removed before the phase ends, so blocked requests finish and the drill ends.
                fallback = new Timer(_ => StartMitigation(null), null, options.IncidentMax - TimeSpan.FromSeconds(3), Timeout.InfiniteTimeSpan);
                say($"injected the fault: {injected.Description}");
            }

            using var stopFault = new CancellationTokenSource();
            Task? mitigating = null;
            Lifeguard.Diagnosis.Diagnosis? demoDiagnosis = null;
            var mitigateGate = new object();
            void StartMitigation(Lifeguard.Diagnosis.Diagnosis? d)
            {
                lock (mitigateGate)
                {
                    if (mitigating is not null) return;
                    mitigating = Task.Run(async () =>
                    {
                        try
                        {
                            mitigation = await MitigateAsync(d, injected, admin, pool, site, ct).ConfigureAwait(false);
                            say(F($"[{_clock.Elapsed.TotalSeconds,5:0}s] MITIGATION: {mitigation.Action}"));
                        }
                        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
                        {
                            mitigation = new DrillMitigation("mitigation failed: " + e.Message, pool, pool);
                            say("mitigation failed: " + e.Message);
                        }
                        finally
                        {
                            // A short tail shows the mitigation taking effect; then the verification starts.
                            stopFault.CancelAfter(TimeSpan.FromSeconds(1));
                        }
                    }, CancellationToken.None);
                }
            }

            // A demonstration runs with the fault still in, before the mitigation: the fault phase ends here, the
            // demonstration and then the mitigation follow it.
            void MitigateOrDemonstrate(Lifeguard.Diagnosis.Diagnosis d)
            {
                if (side is not null && DemoFits(fault, d.Cause))
                {
                    lock (mitigateGate)
                    {
                        if (mitigating is null)
                        {
                            demoDiagnosis = d;
                            fallback?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                            stopFault.Cancel();
                            return;
                        }
                    }
                }

                StartMitigation(d);
            }

            string? lastCandidate = null;
            var candidateSeconds = 0;
            double? candidateAt = null;
            void Watch(DrillSample s)
            {
                var d = _diagnosis;
                var symptom = s.Requests == 0 || s.P99Ms > options.Slo.TotalMilliseconds || s.ErrorRate > 0.05;
                if (detectedAt is null && (symptom || d is { Cause: not DiagnosisCauses.Healthy }))
                {
                    detectedAt = Math.Round(s.T - faultStart, 1);
                    say(F($"DETECTED after {detectedAt:0} s ({(symptom ? "users affected" : "diagnosis " + d!.Cause)})"));
                }

                // The root cause is the one the diagnoser names for two seconds running: an operator acts on a
                // diagnosis that stands, not on one second's (the flips are in the timeline's per-second causes).
                var candidate = d is { Cause: not (DiagnosisCauses.Healthy or DiagnosisCauses.Unknown) } ? d.Cause : null;
                candidateSeconds = candidate is not null && candidate == lastCandidate ? candidateSeconds + 1 : candidate is null ? 0 : 1;
                if (candidate != lastCandidate) candidateAt = candidate is null ? null : Math.Round(s.T - faultStart, 1);
                lastCandidate = candidate;
                if (named is null && d is not null && candidate is not null && candidateSeconds >= StableSeconds)
                {
                    named = d;
                    causeAt = candidateAt;
                    cause = new RootCause(d.Cause, d.Summary, d.Evidence, d.Remedy, d.Avoid, d.Consequences);
                    say(F($"ROOT CAUSE after {causeAt:0} s: {cause.Kind} — {cause.Summary}"));
                    Incident?.Detected(fault, cause, s.T - faultStart, site!.ManagementUrl);
                    foreach (var e in cause.Evidence) say("  evidence: " + e);
                    var latest = d;
                    // A demonstration keeps the fault in while it runs, so it starts at once (its runs show the fault going on).
                    var after = side is not null && DemoFits(fault, d.Cause) ? TimeSpan.Zero : options.FaultAfterDiagnosis;
                    _ = Task.Delay(after, CancellationToken.None).ContinueWith(
                        _ => MitigateOrDemonstrate(_diagnosis is { } now && now.Cause == latest.Cause ? now : latest), TaskScheduler.Default);
                }
            }

            faultPhase = await RunPhaseAsync("fault", site, pool, rate, options.IncidentMax, Watch, stopFault.Token, Inject).ConfigureAwait(false);
            Lifeguard.Diagnosis.Diagnosis? demo;
            lock (mitigateGate) demo = demoDiagnosis;
            if (demo is not null && side is not null)
            {
                var demoStart = _clock.Elapsed.TotalSeconds;
                (demoPhases, comparison) = await RunDemoAsync(fault, normal, faultPhase, site, side, pool, rate, ct).ConfigureAwait(false);
                demoS = Math.Round(_clock.Elapsed.TotalSeconds - demoStart, 1);
                StartMitigation(demo);
            }

            if (side is not null)
            {
                await side.DisposeAsync().ConfigureAwait(false);
                side = null;
            }

            StartMitigation(null);
            await mitigating!.ConfigureAwait(false);
            if (mitigation?.RestartSite == true)
            {
                // The leak's cure: the same site restarted with the fault switch off (its leaked connections go with the old process).
                settings.Remove(LeakInjector.SwitchSetting);
                await site.DisposeAsync().ConfigureAwait(false);
                site = null;
                say("restarting the website with the leak switch off");
                site = await SiteProcess.StartAsync(checkout, cs.ConnectionString, settings, ct).ConfigureAwait(false);
            }

            verify = await RunPhaseAsync("mitigated", site, pool, rate, options.FixedPhase, null, ct).ConfigureAwait(false);
        }
        finally
        {
            // Also when a phase failed: a fallback left armed would fire into a finished drill.
            if (fallback is not null) await fallback.DisposeAsync().ConfigureAwait(false);
            if (site is not null) await site.DisposeAsync().ConfigureAwait(false);
            if (side is not null) await side.DisposeAsync().ConfigureAwait(false);
        }

        var recovered = verify.Requests > 0
            && verify.ErrorRate <= 0.01
            && verify.P99Ms <= Math.Max(2 * normal.P99Ms, normal.P99Ms + 250);
        say(recovered
            ? F($"RECOVERED: p99 {verify.P99Ms:0} ms (normal {normal.P99Ms:0} ms), errors {verify.ErrorRate:P1}")
            : F($"NOT recovered: p99 {verify.P99Ms:0} ms (normal {normal.P99Ms:0} ms), errors {verify.ErrorRate:P1}"));
        if (cause is not null && cause.Kind != expected) say($"the diagnosis named {cause.Kind}; the fault {fault} is {expected}");

        return new DrillReport
        {
            StartedAt = startedAt,
            Quick = options.Quick,
            Fault = fault,
            FaultDescription = injected.Description,
            ExpectedCause = expected,
            DurationS = Math.Round(_clock.Elapsed.TotalSeconds, 1),
            Settings = new DrillSettings(pool, options.NetworkDelay.TotalMilliseconds, options.Slo.TotalMilliseconds, rate, rate, _users, cores, budget),
            Phases = [normal, faultPhase, .. demoPhases, verify],
            Comparison = comparison,
            ComparisonS = demoS,
            DetectedAfterS = detectedAt,
            RootCauseAfterS = causeAt,
            ResolvedAfterS = recovered ? Math.Round(verify.EndS - faultStart - demoS, 1) : null,
            RootCause = cause,
            Mitigation = mitigation,
            Recovered = recovered,
            RecoveryP99Ms = verify.P99Ms,
            BaselineP99Ms = normal.P99Ms,
            Timeline = _timeline,
        };
    }

    private const int StableSeconds = 2;

    private IDrillFault CreateFault(string fault, SiteDatabase database, string directCs, int cores, Func<Uri> siteUrl, DelayRelay proxy) => fault switch
    {
        DrillFaults.Network => new NetworkDelayFault(proxy, options.NetworkFaultDelay),
        DrillFaults.Leak => new LeakInjector(siteUrl, 2),
        DrillFaults.Lock => new LockHolder(directCs, "orders"),
        DrillFaults.ConnectionLimit => new SlotFiller(directCs),
        DrillFaults.SlowQuery => new IndexDrop(directCs, "orders_workspace_created", "orders (workspace_id, created_at)"),
        DrillFaults.Cpu => new CpuBurner(directCs, Math.Max(4, cores * 4)),
        DrillFaults.Restart => new DatabaseRestart(database, options.RestartDowntime),
        _ => throw new InvalidOperationException($"the {fault} fault is not implemented yet (implemented: {string.Join(", ", DrillFaults.Implemented)})"),
    };

    /// <summary>
    /// The mitigation that fits the cause the diagnoser named (not the fault the drill knows it injected): a wrong
    /// diagnosis gets the wrong mitigation and shows as not recovered. The pool size never changes here.
    /// </summary>
    private static async Task<DrillMitigation> MitigateAsync(Lifeguard.Diagnosis.Diagnosis? d, IDrillFault fault, NpgsqlConnection admin, int pool, SiteProcess site, CancellationToken ct)
    {
        string action;
        var restartSite = false;
        switch (d?.Cause)
        {
            case DiagnosisCauses.LockContention when d.Signals?.Server?.RootBlocker is { } root:
                await using (var kill = new NpgsqlCommand("SELECT pg_terminate_backend($1)", admin))
                {
                    kill.Parameters.Add(new NpgsqlParameter { Value = root.Pid });
                    var ended = (bool)(await kill.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
                    action = F($"ended the root blocker named by the diagnosis: pg_terminate_backend({root.Pid}) ({root.State}, application '{root.Application}', transaction open {root.TransactionAgeSeconds:0} s){(ended ? "" : " — it had already ended")}");
                }

                break;
            case DiagnosisCauses.ConnectionLimit:
            {
                var server = d.Signals?.Server;
                var holder = server?.SlotHolders.FirstOrDefault(h => h.Application != server.ApplicationName && !h.Application.StartsWith("lifeguard-diagnoser", StringComparison.Ordinal) && h.Application != "lifeguard-drill-operator");
                if (holder is null)
                {
                    action = "none: the diagnosis names no slot holder other than the site";
                    break;
                }

                // Stop the client first (a fleet that reconnects takes the freed slots again), then end its sessions.
                if (fault is SlotFiller filler) await filler.StopRefillingAsync().ConfigureAwait(false);
                var freed = await SlotFiller.FreeAsync(admin, holder.Application, ct).ConfigureAwait(false);
                await fault.DisposeAsync().ConfigureAwait(false);
                var usable = server!.UsableConnections;
                action = F($"freed {freed} slots: ended the sessions of '{holder.Application}' ({holder.User}@{holder.Client}), the largest slot holder the diagnosis names; fleet budget: {usable} usable slots, the site's pool takes at most {pool} of them (pool unchanged)");
                break;
            }
            case DiagnosisCauses.SlowQueries when fault is IndexDrop drop:
                action = "rebuilt the dropped index: " + await drop.RebuildAsync(ct).ConfigureAwait(false);
                break;
            case DiagnosisCauses.DatabaseCpu when fault is CpuBurner burner:
                await burner.StopAsync().ConfigureAwait(false);
                action = "stopped the client burning the database's CPU ('" + CpuBurner.Application + "'); pool unchanged";
                break;
            case DiagnosisCauses.DatabaseUnavailable when fault is DatabaseRestart restart:
                await restart.WaitStartedAsync().ConfigureAwait(false);
                action = "none needed: waited for the server to come back; the pool reconnects by itself (no restart of the site, pool unchanged)";
                break;
            case DiagnosisCauses.ConnectionLeak when fault is LeakInjector leak:
            {
                await leak.StopAsync().ConfigureAwait(false);
                var (route, frame) = await LeakSourceAsync(site).ConfigureAwait(false);
                action = $"named the leaking route '{route}' (stack: {frame}) from the site's leak report; restarted the website with the leak switch off (pool unchanged)";
                restartSite = true;
                break;
            }
            case DiagnosisCauses.NetworkLatency when fault is NetworkDelayFault network:
                await network.RestoreAsync().ConfigureAwait(false);
                action = "fixed the path: the relay's added delay removed (no pool size fixes round trips; pool unchanged)";
                break;
            case null:
                await fault.DisposeAsync().ConfigureAwait(false);
                action = "none: no cause was named; the drill removed the fault";
                break;
            default:
                await fault.DisposeAsync().ConfigureAwait(false);
                action = $"none fits: the diagnosis named {d.Cause}; the drill removed the fault";
                break;
        }

        return new DrillMitigation(action, pool, pool) { RestartSite = restartSite };
    }

    /// <summary>The most frequent operation (route) among the site's recent leak reports, and the first frame of its
    /// stack that is the website's own code.</summary>
    private static async Task<(string Route, string Frame)> LeakSourceAsync(SiteProcess site)
    {
        using var http = new HttpClient { BaseAddress = site.ManagementUrl, Timeout = TimeSpan.FromSeconds(5) };
        using var doc = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(new Uri("/lifeguard/state", UriKind.Relative)).ConfigureAwait(false));
        var leaks = doc.RootElement.TryGetProperty("recent_leaks", out var r) || doc.RootElement.TryGetProperty("recentLeaks", out r)
            ? r.EnumerateArray().ToList() : [];
        if (leaks.Count == 0) return ("(no leak report)", "(none)");
        string Prop(System.Text.Json.JsonElement e, string snake, string camel) =>
            e.TryGetProperty(snake, out var v) || e.TryGetProperty(camel, out v) ? v.GetString() ?? "" : "";
        var top = leaks.GroupBy(l => Prop(l, "operation", "operation")).OrderByDescending(g => g.Count()).First();
        var stack = Prop(top.First(), "stack_trace", "stackTrace");
        // The borrower: the website's own frame that is not its middleware (async stacks list those too).
        var frames = stack.Split('\n').Select(x => x.Trim()).Where(x => x.Contains("Website.", StringComparison.Ordinal)).ToList();
        var frame = frames.FirstOrDefault(x => !x.Contains("Middleware", StringComparison.Ordinal)) ?? frames.FirstOrDefault() ?? stack.Split('\n')[0].Trim();
        return (top.Key.Length == 0 ? "(unnamed)" : top.Key, frame);
    }
}
