using System.Diagnostics;
using System.Globalization;
using System.Net;
using Lifeguard.Cli.Drill;
using Lifeguard.Cli.Load;
using Lifeguard.Cli.Metrics;
using Lifeguard.Postgres.Activity;
using Lifeguard.Sizing;
using Lifeguard.Testing.Network;

namespace Lifeguard.Cli.Sweep;

/// <summary>
/// Validates the sizing advisor against reality: restarts the website at each pool size, drives the same
/// open-loop load through the drill's network-delay relay, measures, then asks the advisor (fed with the load
/// measured where nothing queued) and compares its size with the best measured one and the usual rules.
/// </summary>
internal sealed class SweepRunner(SweepOptions options, Action<string> say)
{
    private readonly List<(double PoolUsed, double DbCpuCores)> _seconds = [];
    private readonly Dictionary<int, DurationHistogram> _holdBySize = [];

    public async Task<SweepReport> RunAsync(CancellationToken ct)
    {
        var problems = options.Validate();
        if (problems.Count > 0) throw new ArgumentException(string.Join(" ", problems));
        var startedAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        await using var database = await SiteDatabase.PrepareAsync(options.PgPort, options.PgDataDir, options.SeedScale, say, ct).ConfigureAwait(false);
        await using var proxy = new DelayRelay("127.0.0.1", options.PgPort, options.NetworkDelay);
        await using var probe = await PostgresActivityProbe.OpenAsync(database.DirectConnectionString, "lifeguard-sweep-probe", cancellationToken: ct).ConfigureAwait(false);
        var budget = (await probe.ReadBudgetAsync(ct).ConfigureAwait(false)).UsableConnections;
        var users = Math.Min(options.Users, await database.SeededUsersAsync(ct).ConfigureAwait(false));
        if (users < 1) throw new InvalidOperationException("the database has no seeded users (user00001@lifeguard.local...): seed it with `dotnet Website.dll seed`.");

        var hikari = SweepAnalysis.HikariRule(options.DatabaseCores);
        var sizes = options.Sizes.Append(hikari).Append(SweepAnalysis.NpgsqlDefault).Distinct().Order().ToList();
        say(F($"sweep: {sizes.Count} pool sizes ({string.Join(",", sizes)}) x {options.Rounds} round(s), {options.Rate:0.#} req/s open loop for {options.Duration.TotalSeconds:0} s each after {options.WarmUp.TotalSeconds:0} s warm-up, {users} users, {options.NetworkDelay.TotalMilliseconds:0.#} ms one-way delay to PostgreSQL"));

        var points = await MeasureRoundsAsync(database, proxy.Port, probe, users, sizes, ct).ConfigureAwait(false);

        // The advisor sees what a team would feed it from production: the lease rate and hold times of a pool that keeps up.
        var reference = SweepAnalysis.Reference(points);
        var useAtReference = _holdBySize[reference.PoolSize];
        var hold = useAtReference.Count > 0 && useAtReference.SumSeconds > 0
            ? HoldTimeDistribution.FromHistogram(useAtReference.Cumulative(), useAtReference.SumSeconds, useAtReference.Count)
            : HoldTimeDistribution.FromMean(TimeSpan.FromMilliseconds(Math.Max(0.01, reference.HoldMeanMs)));
        var lambda = reference.LeasesPerSecond;
        var saturation = PoolLoadEstimator.SaturationConnections(_seconds, options.DatabaseCores, budget);
        var advice = PoolSizingAdvisor.Recommend(new PoolSizingInput
        {
            ArrivalRatePerSecond = lambda,
            Hold = hold,
            DatabaseCores = options.DatabaseCores,
            DatabaseSaturationConnections = saturation,
            ServerMaxConnections = budget, // already net of the superuser-reserved slots
            Instances = 1,
            WaitGoal = options.WaitGoal,
        });
        say(F($"advisor (from size {reference.PoolSize}: {lambda:0.#} leases/s, hold mean {hold.Mean.TotalMilliseconds:0.##} ms, p99 {hold.P99.TotalMilliseconds:0.##} ms, {options.DatabaseCores} cores, saturation {(saturation is { } s ? s.ToString(CultureInfo.InvariantCulture) : "not measured")}): Maximum Pool Size={advice.MaximumPoolSize} ({advice.Verdict})"));
        if (advice.MaximumPoolSize > 0 && points.All(p => p.PoolSize != advice.MaximumPoolSize))
        {
            say($"the advisor's size {advice.MaximumPoolSize} was not in the sweep: measuring it too");
            points.AddRange(await MeasureRoundsAsync(database, proxy.Port, probe, users, [advice.MaximumPoolSize], ct).ConfigureAwait(false));
        }

        points = points
            .Select(p => p with { PredictedWaitP99Ms = lambda <= 0 ? 0 : Round(PoolSizingAdvisor.PredictWait(lambda, hold, p.PoolSize, 0.99)?.TotalMilliseconds) })
            .OrderBy(p => p.PoolSize)
            .ToList();
        var (bestP99, bestThroughput) = SweepAnalysis.Best(points);
        var comparison = SweepAnalysis.Compare(points, Math.Max(1, advice.MaximumPoolSize), options.DatabaseCores, options.Tolerance);
        return new SweepReport
        {
            StartedAt = startedAt,
            DurationS = Math.Round(clock.Elapsed.TotalSeconds, 1),
            Settings = new SweepSettings(options.Rate, options.Rounds, options.Duration.TotalSeconds, options.WarmUp.TotalSeconds, options.NetworkDelay.TotalMilliseconds,
                options.PoolTimeoutSeconds, users, options.DatabaseCores, budget, options.Tolerance, options.WaitGoal.TotalMilliseconds, Environment.ProcessorCount),
            Points = points,
            Advice = new SweepAdvice(reference.PoolSize, Math.Round(lambda, 2), Math.Round(hold.Mean.TotalMilliseconds, 3), Math.Round(hold.P99.TotalMilliseconds, 3),
                options.DatabaseCores, saturation, budget, advice.MaximumPoolSize, advice.Verdict.ToString(), Round(advice.PredictedGoalQuantileWait?.TotalMilliseconds), advice.Reasons),
            Comparison = comparison,
            BestP99Ms = bestP99,
            BestThroughputRps = bestThroughput,
            AdvisorWithinTolerance = comparison[0].WithinTolerance,
        };
    }

    private async Task<List<SweepPoint>> MeasureRoundsAsync(SiteDatabase database, int proxyPort, PostgresActivityProbe probe, int users, IReadOnlyList<int> sizes, CancellationToken ct)
    {
        var bySize = sizes.ToDictionary(s => s, _ => new List<SweepPoint>());
        for (var round = 1; round <= options.Rounds; round++)
        {
            if (options.Rounds > 1) say($"round {round} of {options.Rounds}");
            foreach (var size in sizes)
            {
                bySize[size].Add(await MeasureAsync(database, proxyPort, probe, users, size, ct).ConfigureAwait(false));
            }
        }

        return sizes.Select(s => SweepAnalysis.Combine(bySize[s])).ToList();
    }

    private async Task<SweepPoint> MeasureAsync(SiteDatabase database, int proxyPort, PostgresActivityProbe probe, int users, int size, CancellationToken ct)
    {
        await using var site = await SiteProcess.StartAsync(database.Checkout, database.SiteConnectionString(proxyPort, size, options.PoolTimeoutSeconds), SiteDatabase.SiteSettings(), ct).ConfigureAwait(false);
        var load = new LoadOptions
        {
            BaseUrl = site.Url,
            Users = users,
            Rate = options.Rate,
            Duration = options.Duration,
            RequestTimeout = TimeSpan.FromSeconds(30),
        };
        using var runner = new LoadRunner(load);
        await runner.LoginAsync(null, ct).ConfigureAwait(false);
        if (options.WarmUp > TimeSpan.Zero) await runner.RunAsync(null, ct, new LatencyRecorder(), options.WarmUp).ConfigureAwait(false);

        using var scrape = new HttpClient { BaseAddress = site.ManagementUrl, Timeout = TimeSpan.FromSeconds(5) };
        var first = await LifeguardStateReader.ReadAllPoolsAsync(scrape, ct).ConfigureAwait(false);
        await probe.ReadAsync(ct).ConfigureAwait(false); // starts the CPU interval
        var recorder = new LatencyRecorder();
        var loadTask = runner.RunAsync(null, ct, recorder);
        double peakWaiting = 0, cpuSum = 0;
        var cpuSeconds = 0;
        using (var timer = new PeriodicTimer(TimeSpan.FromSeconds(1)))
        {
            while (!loadTask.IsCompleted && await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                PoolSnapshot now;
                try
                {
                    now = await LifeguardStateReader.ReadAllPoolsAsync(scrape, ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
                {
                    continue; // a starved site may miss a scrape
                }

                var cpu = (await probe.ReadAsync(ct).ConfigureAwait(false)).CpuCores;
                peakWaiting = Math.Max(peakWaiting, now.Waiters);
                if (cpu is { } cores)
                {
                    _seconds.Add((now.InUse, cores));
                    cpuSum += cores;
                    cpuSeconds++;
                }
            }
        }

        var summary = await loadTask.ConfigureAwait(false);
        var last = await LifeguardStateReader.ReadAllPoolsAsync(scrape, ct).ConfigureAwait(false);
        var wait = last.WaitTotal.Since(first.WaitTotal);
        var use = last.HoldTotal.Since(first.HoldTotal);
        _holdBySize[size] = use;
        var window = options.Duration.TotalSeconds;
        // Open loop: every scheduled request completes eventually; only successes inside the window are throughput.
        var okInWindow = summary.Timeline.Where(s => s.T < window).Sum(s => s.Requests - s.Errors);
        var point = new SweepPoint
        {
            PoolSize = size,
            Requests = summary.Requests,
            ThroughputRps = Math.Round(okInWindow / window, 2),
            Errors = summary.Errors,
            ErrorRate = summary.ErrorRate,
            P50Ms = summary.P50Ms,
            P99Ms = summary.P99Ms,
            P99MsByRound = [summary.P99Ms],
            PoolWaitP99Ms = Ms(wait.Quantile(0.99)),
            PoolWaitMeanMs = Ms(wait.Mean),
            HoldMeanMs = Ms(use.Mean),
            HoldP99Ms = Ms(use.Quantile(0.99)),
            LeasesPerSecond = Math.Round(use.Count / Math.Max(0.001, summary.DurationS), 2),
            PoolTimeouts = last.Timeouts - first.Timeouts,
            PeakWaiting = peakWaiting,
            DbCpuCores = cpuSeconds == 0 ? 0 : Math.Round(cpuSum / cpuSeconds, 3),
            ErrorsByKind = summary.ErrorsByKind,
        };
        say(F($"pool {size,3}: {point.ThroughputRps,6:0.0} ok/s  p50 {point.P50Ms,7:0.0} ms  p99 {point.P99Ms,7:0.0} ms  errors {point.ErrorRate,6:P1}  wait p99 {point.PoolWaitP99Ms,7:0.0} ms  hold mean {point.HoldMeanMs,5:0.0} ms p99 {point.HoldP99Ms,6:0.0} ms  leases {point.LeasesPerSecond:0.0}/s  db cpu {point.DbCpuCores:0.00}"));
        return point;
    }

    // An interval without observations reads as 0 ms (nothing waited), which keeps the JSON plain numbers.
    private static double Ms(double seconds) => double.IsNaN(seconds) ? 0 : Math.Round(seconds * 1000, 3);

    private static double? Round(double? ms) => ms is { } v ? Math.Round(v, 3) : null;

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
