using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Lifeguard.Cli.Load;
using Lifeguard.Cli.Metrics;
using Lifeguard.Postgres.Activity;
using Lifeguard.Sizing;
using Lifeguard.Testing.Network;
using Npgsql;

namespace Lifeguard.Cli.Drill;

/// <summary>
/// Replays the February 10 incident: the website runs with a pool far too small, normal traffic is
/// fine, peak traffic is not. The drill watches users, pool and database per second, detects the
/// incident from what users see and takes its cause from the site's own diagnoser (the one in production, on
/// /lifeguard/diagnosis, fed by the guard and the server), asks the sizing advisor for the pool size,
/// restarts the website with it under the same peak load and verifies recovery.
/// </summary>
internal sealed partial class DrillRunner(DrillOptions options, Action<string> say)
{
    private readonly List<DrillSample> _timeline = [];
    private readonly Stopwatch _clock = new();
    private int _users;

    public async Task<DrillReport> RunAsync(CancellationToken ct)
    {
        var startedAt = DateTimeOffset.UtcNow;
        await using var database = await SiteDatabase.PrepareAsync(options.PgPort, options.PgDataDir, options.SeedScale, say, ct).ConfigureAwait(false);
        try
        {
            return options.Fault == Faults.DrillFaults.Pool
                ? await RunWithDatabaseAsync(database, startedAt, ct).ConfigureAwait(false)
                : await RunFaultAsync(database, startedAt, ct).ConfigureAwait(false);
        }
        finally
        {
            DisposeRunners();
            if (_probe is not null) await _probe.DisposeAsync().ConfigureAwait(false);
            _probe = null;
        }
    }

    private async Task<DrillReport> RunWithDatabaseAsync(SiteDatabase database, DateTimeOffset startedAt, CancellationToken ct)
    {
        var checkout = database.Checkout;
        var directCs = database.DirectConnectionString;
        await using var proxy = new DelayRelay("127.0.0.1", options.PgPort, options.NetworkDelay);
        _probeConnectionString = directCs;
        _probe = await OpenProbeAsync(directCs, ct).ConfigureAwait(false);
        var budget = (await _probe.ReadBudgetAsync(ct).ConfigureAwait(false)).UsableConnections;
        var cores = Environment.ProcessorCount;
        // A database seeded earlier at a smaller scale may hold fewer users than the drill would log in.
        _users = Math.Min(options.Users, await database.SeededUsersAsync(ct).ConfigureAwait(false));
        if (_users < 1) throw new InvalidOperationException("the database has no seeded users (user00001@lifeguard.local...): seed it with `dotnet Website.dll seed`.");
        _clock.Start();

        // Phase 1 and 2: the misconfigured site, as it ran that morning.
        var bad = options.MisconfiguredPoolSize;
        say($"starting the website with Maximum Pool Size={bad} (the misconfiguration)");
        DrillPhase normal, incident;
        var incidentLoad = options.IncidentMax;
        double peakRate;
        RootCause? cause = null;
        double? detectedAt = null;
        var incidentStart = 0.0;
        await using (var site = await SiteProcess.StartAsync(checkout, database.SiteConnectionString(proxy.Port, bad, options.MisconfiguredTimeoutSeconds), SiteDatabase.SiteSettings(), ct).ConfigureAwait(false))
        {
            normal = await RunPhaseAsync("normal", site, bad, options.NormalRate, options.NormalPhase, null, ct).ConfigureAwait(false);

            // Peak traffic: more than the misconfigured pool can serve (its capacity is connections / time
            // per request on a connection), but far below what this machine serves with a right pool.
            var perRequestHold = normal.LeasesPerRequest * normal.HoldMeanMs / 1000.0;
            var capacity = perRequestHold > 0 ? bad / perRequestHold : options.NormalRate * 4;
            peakRate = Math.Round(Math.Clamp(options.PeakFactor * capacity, 2 * options.NormalRate, 250), 1);
            say(F($"normal traffic: p99 {normal.P99Ms:0} ms, {normal.LeasesPerRequest:0.0} connection leases per request, hold {normal.HoldMeanMs:0.0} ms -> the pool serves at most ~{capacity:0} req/s"));
            say(F($"peak traffic: {peakRate:0.#} req/s"));

            incidentStart = _clock.Elapsed.TotalSeconds;
            var stopIncident = new CancellationTokenSource();
            var symptomSeconds = 0;
            void Watch(DrillSample s)
            {
                if (cause is not null) return;
                // Users are affected: request p99 above the SLO or more than 5% errors, for a few seconds running.
                symptomSeconds = s.Requests > 0 && (s.P99Ms > options.Slo.TotalMilliseconds || s.ErrorRate > 0.05) ? symptomSeconds + 1 : 0;
                if (symptomSeconds < SymptomSeconds || _diagnosis is not { } d || d.Cause == Lifeguard.Diagnosis.DiagnosisCauses.Healthy) return;
                cause = new RootCause(d.Cause, d.Summary, d.Evidence, d.Remedy, d.Avoid, d.Consequences);
                detectedAt = Math.Round(s.T - incidentStart, 1);
                say(F($"DETECTED after {detectedAt:0} s: {cause.Kind} — {cause.Summary}"));
                Incident?.Detected(options.Fault, cause, detectedAt.Value, site.ManagementUrl);
                foreach (var e in cause.Evidence) say("  evidence: " + e);
                stopIncident.CancelAfter(options.IncidentAfterDiagnosis);
            }

            double? loadStoppedAt = null;
            using (stopIncident.Token.Register(() => loadStoppedAt ??= _clock.Elapsed.TotalSeconds))
                incident = await RunPhaseAsync("incident", site, bad, peakRate, options.IncidentMax, Watch, stopIncident.Token).ConfigureAwait(false);
            stopIncident.Dispose();
            // The replay gets the traffic the incident got: the same rate for as long as the incident's load ran.
            incidentLoad = TimeSpan.FromSeconds(Math.Min(options.IncidentMax.TotalSeconds, (loadStoppedAt ?? double.MaxValue) - incident.StartS));
        }

        // The same incident once more with admission control on: a new site process (the guard's options are fixed for
        // its life) with the same too-small pool, the same peak traffic for as long.
        DrillPhase? replay = null;
        var replayS = 0.0;
        if (options.AdmissionBudget is { } admission)
        {
            var replayStart = _clock.Elapsed.TotalSeconds;
            say(F($"replaying the incident with admission control on (Lifeguard:AdmissionBudget={admission.TotalMilliseconds:0} ms): Maximum Pool Size={bad}, {peakRate:0.#} req/s for {incidentLoad.TotalSeconds:0} s"));
            await using (var site = await SiteProcess.StartAsync(checkout, database.SiteConnectionString(proxy.Port, bad, options.MisconfiguredTimeoutSeconds), AdmissionSettings(admission), ct).ConfigureAwait(false))
            {
                replay = await RunPhaseAsync("incident+admission", site, bad, peakRate, incidentLoad, null, ct, admission: admission).ConfigureAwait(false);
            }

            replayS = Math.Round(_clock.Elapsed.TotalSeconds - replayStart, 1);
            say(F($"with admission control: {replay.ShareSlow:P1} of requests slower than {options.SlowThreshold.TotalSeconds:0} s (without: {incident.ShareSlow:P1}), {replay.RetryLater} answered 503 + Retry-After (p99 {replay.RetryLaterP99Ms:0} ms, {replay.AdmissionRejections} opens shed by the guard), served p99 {replay.ServedP99Ms:0} ms"));
        }

        // The fix: the advisor's size from what the guard measured, not a guess.
        var sizingInput = new DrillSizingInput(
            Math.Round(PoolLoadEstimator.ArrivalRatePerSecond(_timeline.Where(x => x.Phase == "incident").Select(x => (x.T, x.LeaseRequestRate, x.PoolPending)).ToList()), 2),
            normal.HoldMeanMs,
            Math.Max(normal.HoldMeanMs, normal.HoldP99Ms),
            1);
        var saturation = PoolLoadEstimator.SaturationConnections(_timeline.Where(x => x.Phase == "incident").Select(x => (x.PoolUsed, x.DbCpuCores)).ToList(), cores, budget);
        if (saturation is { } sat) say(F($"database: ~{sat} busy connections would saturate its {cores} cores (measured CPU per busy connection)"));
        var advice = Recommend(sizingInput, cores, budget, saturation);
        var recommended = advice.MaximumPoolSize;
        say($"advisor: Maximum Pool Size={recommended} ({advice.Verdict})");
        foreach (var r in advice.Reasons) say("  " + r);

        DrillPhase fixedPhase;
        say($"restarting the website with Maximum Pool Size={recommended}");
        await using (var site = await SiteProcess.StartAsync(checkout, database.SiteConnectionString(proxy.Port, recommended, (int)Math.Ceiling(advice.Timeout.TotalSeconds)), SiteDatabase.SiteSettings(), ct).ConfigureAwait(false))
        {
            // A new process takes its first requests cold (JIT, the pool's first physical connections): a deploy gives it
            // traffic after a readiness warm-up, and recovery is judged on the fixed pool, not on start-up. Seen: a quick
            // drill's 12 s fixed phase at p99 465 ms with 24 requests queued in its first seconds, 234 ms after them.
            fixedPhase = await RunPhaseAsync("fixed", site, recommended, peakRate, options.FixedPhase, null, ct,
                beforeLoad: () => WarmUpAsync(site, ct)).ConfigureAwait(false);
        }

        var recovered = fixedPhase.Requests > 0
            && fixedPhase.ErrorRate <= 0.01
            && fixedPhase.P99Ms <= Math.Max(2 * normal.P99Ms, normal.P99Ms + 250);
        say(recovered
            ? F($"RECOVERED: p99 {fixedPhase.P99Ms:0} ms (normal {normal.P99Ms:0} ms), errors {fixedPhase.ErrorRate:P1}")
            : F($"NOT recovered: p99 {fixedPhase.P99Ms:0} ms (normal {normal.P99Ms:0} ms), errors {fixedPhase.ErrorRate:P1}"));

        return new DrillReport
        {
            StartedAt = startedAt,
            Quick = options.Quick,
            DurationS = Math.Round(_clock.Elapsed.TotalSeconds, 1),
            Settings = new DrillSettings(bad, options.NetworkDelay.TotalMilliseconds, options.Slo.TotalMilliseconds, options.NormalRate, peakRate, _users, cores, budget),
            Phases = replay is null ? [normal, incident, fixedPhase] : [normal, incident, replay, fixedPhase],
            Comparison = replay is null ? null : AdmissionReplay(incident, replay),
            ComparisonS = replayS,
            DetectedAfterS = detectedAt,
            RootCauseAfterS = cause is null ? null : detectedAt,
            ResolvedAfterS = recovered ? Math.Round(fixedPhase.EndS - incidentStart - replayS, 1) : null,
            RootCause = cause,
            Fault = Faults.DrillFaults.Pool,
            FaultDescription = F($"Maximum Pool Size={bad} for peak traffic of {peakRate:0.#} req/s"),
            ExpectedCause = Faults.DrillFaults.ExpectedCause(Faults.DrillFaults.Pool),
            Mitigation = new DrillMitigation(F($"restarted the website with the sizing advisor's Maximum Pool Size={recommended}"), bad, recommended),
            RecommendedMaxPoolSize = recommended,
            RecommendationReasoning = string.Join(" ", advice.Reasons),
            SizingInput = sizingInput,
            Recovered = recovered,
            RecoveryP99Ms = fixedPhase.P99Ms,
            BaselineP99Ms = normal.P99Ms,
            Timeline = _timeline,
        };
    }

    // Demand is what arrived during the incident (granted + timed out), not what the small pool managed
    // to serve; hold times come from normal traffic, before queueing distorted anything.
    private static PoolSizingRecommendation Recommend(DrillSizingInput input, int cores, int budget, int? saturation) =>
        PoolSizingAdvisor.Recommend(new PoolSizingInput
        {
            ArrivalRatePerSecond = input.ArrivalRatePerSecond,
            Hold = HoldTimeDistribution.FromMeanAndP99(
                TimeSpan.FromMilliseconds(Math.Max(0.01, input.HoldMeanMs)),
                TimeSpan.FromMilliseconds(Math.Max(0.01, input.HoldP99Ms))),
            DatabaseCores = cores,
            DatabaseSaturationConnections = saturation,
            ServerMaxConnections = budget,
            Instances = input.Instances,
        });

    private async Task<DrillPhase> RunPhaseAsync(string name, SiteProcess site, int poolSize, double rate, TimeSpan duration, Action<DrillSample>? watch, CancellationToken stopEarly, Func<Task>? beforeLoad = null, TimeSpan? admission = null)
    {
        // A site keeps its logged-in users from one phase to the next, whatever the rate (logging 24 users in costs
        // seconds on a busy machine); only a new site logs in afresh.
        var runner = await RunnerAsync(site).ConfigureAwait(false);
        // A fault goes in after the users logged in, so the phase's first second is the fault's first.
        if (beforeLoad is not null) await beforeLoad().ConfigureAwait(false);

        using var scrape = new HttpClient { BaseAddress = site.ManagementUrl, Timeout = TimeSpan.FromSeconds(5) };
        var first = await ReadPoolAsync(scrape).ConfigureAwait(false);
        var recorder = new LatencyRecorder(options.Slo, options.SlowThreshold);
        var phaseStart = _clock.Elapsed.TotalSeconds;
        say(F($"[{phaseStart,5:0}s] phase {name}: {rate:0.#} req/s for up to {duration.TotalSeconds:0} s, Maximum Pool Size={poolSize}{(admission is { } a ? $", admission budget {a.TotalMilliseconds:0} ms" : "")}"));

        var loadTask = runner.RunAsync(null, stopEarly, recorder, duration, rate);
        var sampler = SampleAsync(name, scrape, first, recorder, watch, loadTask);
        var summary = await loadTask.ConfigureAwait(false);
        await sampler.ConfigureAwait(false);
        var last = await ReadPoolAsync(scrape).ConfigureAwait(false);

        var wait = last.Wait.Since(first.Wait);
        var use = last.Use.Since(first.Use);
        return new DrillPhase
        {
            Name = name,
            MaxPoolSize = poolSize,
            AdmissionBudgetMs = admission?.TotalMilliseconds,
            RateRps = rate,
            StartS = Math.Round(phaseStart, 1),
            EndS = Math.Round(_clock.Elapsed.TotalSeconds, 1),
            Requests = summary.Requests,
            Errors = summary.Errors,
            ErrorRate = summary.ErrorRate,
            P50Ms = summary.P50Ms,
            P99Ms = summary.P99Ms,
            ShareOver10s = summary.ShareOver10s,
            ShareOverSlo = summary.ShareOverSlo,
            ShareSlow = recorder.ShareOverSlow(),
            ServedP50Ms = summary.ServedP50Ms,
            ServedP99Ms = summary.ServedP99Ms,
            RetryLater = summary.RetryLater,
            RetryLaterP99Ms = summary.RetryLaterP99Ms,
            AdmissionRejections = (long)Math.Round(last.RejectionsTotal - first.RejectionsTotal),
            PoolWaitP99Ms = Ms(wait.Quantile(0.99)),
            HoldMeanMs = Ms(use.Mean),
            HoldP99Ms = Ms(use.Quantile(0.99)),
            LeasesPerRequest = summary.Requests == 0 ? 0 : Math.Round((use.Count + (last.TimeoutsTotal - first.TimeoutsTotal)) / summary.Requests, 2),
            ErrorsByKind = summary.ErrorsByKind,
        };
    }

    private async Task SampleAsync(string phase, HttpClient scrape, PoolReading first, LatencyRecorder recorder, Action<DrillSample>? watch, Task loadDone)
    {
        var previous = first;
        var second = 0;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        while (!loadDone.IsCompleted && await timer.WaitForNextTickAsync().ConfigureAwait(false))
        {
            PoolReading now;
            try
            {
                now = await ReadPoolAsync(scrape).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                continue; // a starved site may miss a scrape; the next one covers the interval
            }

            var (active, backends, cpu) = await ProbeAsync().ConfigureAwait(false);
            _diagnosis = await DiagnosisAsync(scrape).ConfigureAwait(false);
            var (requests, errors, p50, p99) = recorder.Second(second);
            var wait = now.Wait.Since(previous.Wait);
            var use = now.Use.Since(previous.Use);
            var timeouts = now.TimeoutsTotal - previous.TimeoutsTotal;
            var sample = new DrillSample
            {
                T = Math.Round(_clock.Elapsed.TotalSeconds, 1),
                Phase = phase,
                Requests = requests,
                Errors = errors,
                P50Ms = p50,
                P99Ms = p99,
                PoolUsed = now.Used,
                PoolMax = now.Max,
                PoolPending = now.Pending,
                WaitP99Ms = Ms(wait.Quantile(0.99)),
                HoldP99Ms = Ms(use.Quantile(0.99)),
                HoldMeanMs = Ms(use.Mean),
                LeaseRequestRate = wait.Count + timeouts,
                Timeouts = timeouts,
                Leaks = now.LeaksTotal - previous.LeaksTotal,
                DbActive = active,
                DbBackends = backends,
                DbCpuCores = double.IsNaN(cpu) ? 0 : Math.Round(cpu, 2),
                Cause = _diagnosis?.Cause,
            };
            _timeline.Add(sample);
            watch?.Invoke(sample);
            if (second % 5 == 4 || phase.StartsWith("incident", StringComparison.Ordinal))
            {
                say(F($"[{sample.T,5:0}s] {phase,-8} req {requests,4}/s err {errors,3}  p99 {p99,8:0} ms | pool {now.Used:0}/{now.Max:0} waiting {now.Pending,3:0} wait p99 {sample.WaitP99Ms,7:0} ms | db active {active,2} cpu {cpu,4:0.00} | diagnosis {sample.Cause}"));
            }

            previous = now;
            second++;
        }

    }

    /// <summary>The users logged in to <paramref name="site"/>, logging them in on first use (<paramref name="users"/> of
    /// them, all the drill's by default).</summary>
    /// <summary>Normal traffic for a few seconds, not measured, before a new site's measured phase.</summary>
    private async Task WarmUpAsync(SiteProcess site, CancellationToken ct)
    {
        var warmUp = TimeSpan.FromSeconds(3);
        say(F($"warming the new website up: {options.NormalRate:0.#} req/s for {warmUp.TotalSeconds:0} s, not measured"));
        var runner = await RunnerAsync(site).ConfigureAwait(false);
        await runner.RunAsync(null, ct, new LatencyRecorder(options.Slo, options.SlowThreshold), warmUp, options.NormalRate).ConfigureAwait(false);
    }

    private async Task<LoadRunner> RunnerAsync(SiteProcess site, int? users = null)
    {
        LoadRunner? runner;
        lock (_runners)
        {
            if (!_runners.TryGetValue(site, out runner))
            {
                runner = new LoadRunner(new LoadOptions
                {
                    BaseUrl = site.Url,
                    Users = Math.Min(_users, users ?? _users),
                    Rate = options.NormalRate,
                    Duration = options.IncidentMax,
                    Slo = options.Slo,
                    RequestTimeout = TimeSpan.FromSeconds(30),
                });
                _runners[site] = runner;
            }
        }

        try
        {
            await runner.LoginAsync(null, CancellationToken.None).ConfigureAwait(false);
        }
        catch (LoginFailedException e) when (_probe is not null)
        {
            // A site that cannot serve its login often cannot get a connection: say how full the server is, from the
            // drill's own session (opened before any fault), so a run that inherits a full server says so.
            string server;
            try
            {
                var budget = await _probe.ReadBudgetAsync(CancellationToken.None).ConfigureAwait(false);
                server = F($"the server then: {budget.OtherClientConnections + 1} client sessions, {budget.UsableConnections} usable slots (max_connections {budget.MaxConnections})");
            }
            catch (Exception read) when (read is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                server = "the server's sessions unreadable: " + read.Message;
            }

            throw new LoginFailedException($"{e.Message}; {server}");
        }

        return runner;
    }

    private void DisposeRunners()
    {
        lock (_runners)
        {
            foreach (var r in _runners.Values) r.Dispose();
            _runners.Clear();
        }
    }

    private PostgresActivityProbe? _probe;
    private readonly Dictionary<SiteProcess, LoadRunner> _runners = [];
    private Lifeguard.Diagnosis.Diagnosis? _diagnosis;
    private const int SymptomSeconds = 3;
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    // The site's diagnosis of this second; a starved site may miss one (the next covers it).
    private async Task<Lifeguard.Diagnosis.Diagnosis?> DiagnosisAsync(HttpClient scrape)
    {
        try
        {
            return await scrape.GetFromJsonAsync<Lifeguard.Diagnosis.Diagnosis>("/lifeguard/diagnosis", Web).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            return null;
        }
    }

    private async Task<(int, int, double)> ProbeAsync()
    {
        try
        {
            if (_probe is null && _probeConnectionString is not null)
                _probe = await OpenProbeAsync(_probeConnectionString, CancellationToken.None).ConfigureAwait(false);
            if (_probe is null) return (0, 0, double.NaN);
            var reading = await _probe.ReadAsync(CancellationToken.None).ConfigureAwait(false);
            return (reading.ActiveBackends, reading.Backends, reading.CpuCores ?? double.NaN);
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or IOException or InvalidOperationException or TimeoutException)
        {
            // The server restarted or refuses connections (a fault under test): reopen at the next second.
            if (_probe is not null) await _probe.DisposeAsync().ConfigureAwait(false);
            _probe = null;
            return (0, 0, double.NaN);
        }
    }

    private string? _probeConnectionString;

    private static Task<PostgresActivityProbe> OpenProbeAsync(string connectionString, CancellationToken ct) =>
        PostgresActivityProbe.OpenAsync(connectionString, "lifeguard-drill-probe", cancellationToken: ct);

    private static Task<PoolReading> ReadPoolAsync(HttpClient scrape) => PoolReading.ScrapeAsync(scrape);

    // An interval without observations reads as 0 ms (nothing waited), which keeps the JSON plain numbers.
    private static double Ms(double seconds) => double.IsNaN(seconds) ? 0 : Math.Round(seconds * 1000, 3);

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
