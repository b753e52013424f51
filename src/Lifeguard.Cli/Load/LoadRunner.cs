using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Lifeguard.Cli.Load;

/// <summary>
/// Drives the website like its users do: logs in seeded users through the real form, then requests
/// their dashboards, closed loop (N users with think time) or open loop (fixed arrival rate, latency
/// measured from the intended start so a slow site cannot hide its queue: no coordinated omission).
/// </summary>
internal sealed class LoadRunner : IDisposable
{
    private readonly LoadOptions options;
    /// <summary>The error kind of a 503 with Retry-After: the site could not serve now (admission control shed it, or no
    /// connection came in time) and said when to come back.</summary>
    public const string RetryLaterKind = "http_503_retry_after";

    private readonly SocketsHttpHandler _handler;
    private readonly HttpClient _http;
    private List<SiteSession>? _sessions;

    public LoadRunner(LoadOptions options)
    {
        var problems = options.Validate();
        if (problems.Count > 0) throw new ArgumentException(string.Join(" ", problems));
        this.options = options;
        _handler = new SocketsHttpHandler
        {
            UseCookies = false,
            AllowAutoRedirect = false,
            // High enough that the client never queues in front of the site (an overloaded site can hold
            // a thousand requests). Each connection is a file descriptor: mind ulimit -n on big runs.
            MaxConnectionsPerServer = 8192,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            ConnectTimeout = TimeSpan.FromSeconds(5),
        };
        // no base address: every session sends to the site it logged in on (round robin over --url)
        _http = new HttpClient(_handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>Logs in every user (done by <see cref="RunAsync"/> if not called first).</summary>
    public async Task LoginAsync(Action<LoadProgress>? progress, CancellationToken ct) =>
        _sessions ??= await LoginAllAsync(_http, progress, ct).ConfigureAwait(false);

    /// <summary>
    /// Runs the load; <paramref name="progress"/> is called about once a second. <paramref name="duration"/>
    /// overrides the options' duration (a warm-up run with the same sessions), <paramref name="rate"/> an open loop's
    /// arrival rate (a surge on the same sessions: logging in again would cost seconds).
    /// </summary>
    public async Task<LoadSummary> RunAsync(Action<LoadProgress>? progress, CancellationToken ct, LatencyRecorder? recorder = null, TimeSpan? duration = null, double? rate = null)
    {
        if (rate is { } r && (!options.IsOpenLoop || r <= 0 || r > 100_000)) throw new ArgumentOutOfRangeException(nameof(rate), r, "a rate override needs an open loop and a rate above 0 and at most 100000 requests/s");
        await LoginAsync(progress, ct).ConfigureAwait(false);
        var sessions = _sessions!;
        recorder ??= new LatencyRecorder(options.Slo);
        var runFor = duration ?? options.Duration;
        var started = Stopwatch.GetTimestamp();
        using var stopLoad = CancellationTokenSource.CreateLinkedTokenSource(ct);
        stopLoad.CancelAfter(runFor);

        var reporter = ReportProgressAsync(recorder, started, progress, stopLoad.Token);
        if (options.IsOpenLoop) await RunOpenLoopAsync(sessions, recorder, started, rate ?? options.Rate!.Value, stopLoad.Token).ConfigureAwait(false);
        else await RunClosedLoopAsync(sessions, recorder, started, stopLoad.Token).ConfigureAwait(false);
        await reporter.ConfigureAwait(false);

        var elapsed = Stopwatch.GetElapsedTime(started);
        return recorder.Summarize(rate is null ? options : options with { Rate = rate }, elapsed < runFor ? elapsed : runFor, sessions.Count);
    }

    public void Dispose()
    {
        _http.Dispose();
        _handler.Dispose();
    }

    private async Task<List<SiteSession>> LoginAllAsync(HttpClient http, Action<LoadProgress>? progress, CancellationToken ct)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(Math.Max(60, options.Users / 2.0));
        // user k logs in on site k mod N: the users, and so a closed loop's requests, split evenly over the sites
        var targets = options.Targets;
        var sessions = Enumerable.Range(0, options.Users)
            .Select(k => new SiteSession(http, string.Format(System.Globalization.CultureInfo.InvariantCulture, options.EmailPattern, options.FirstUser + k),
                targets[k % targets.Count], k % targets.Count))
            .ToList();
        var done = 0;
        await Parallel.ForEachAsync(sessions, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (s, token) =>
        {
            try
            {
                await s.LoginAsync(options.Password, deadline, token).ConfigureAwait(false);
            }
            catch (HttpRequestException e)
            {
                throw new LoginFailedException($"cannot reach {s.Site}: {e.Message} (is the website running?)");
            }
            catch (LoginFailedException e)
            {
                throw new LoginFailedException($"{e.Message} ({Volatile.Read(ref done)} of {options.Users} users had logged in)");
            }

            var n = Interlocked.Increment(ref done);
            progress?.Invoke(new LoadProgress(LoadPhase.LoggingIn, n, options.Users, TimeSpan.Zero, 0, 0, 0, 0));
        }).ConfigureAwait(false);
        return sessions;
    }

    private async Task RunClosedLoopAsync(List<SiteSession> sessions, LatencyRecorder recorder, long started, CancellationToken stop)
    {
        var workers = sessions.Select(async session =>
        {
            while (!stop.IsCancellationRequested)
            {
                await SendOneAsync(session, recorder, started, Stopwatch.GetTimestamp()).ConfigureAwait(false);
                if (options.ThinkTime > TimeSpan.Zero)
                {
                    try
                    {
                        await Task.Delay(options.ThinkTime, stop).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }
            }
        });
        await Task.WhenAll(workers).ConfigureAwait(false);
    }

    private async Task RunOpenLoopAsync(List<SiteSession> sessions, LatencyRecorder recorder, long started, double rate, CancellationToken stop)
    {
        var inFlight = new List<Task>();
        long issued = 0;
        // request k goes to site k mod N, and to that site's users in turn: round robin over the sites
        var bySite = sessions.GroupBy(x => x.Target).OrderBy(g => g.Key).Select(g => g.ToList()).ToList();
        while (!stop.IsCancellationRequested)
        {
            var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var due = (long)(elapsed * rate) + 1;
            for (; issued < due; issued++)
            {
                // The intended start is on the fixed schedule, not when the loop got round to it.
                var intended = started + (long)(issued / rate * Stopwatch.Frequency);
                var site = bySite[(int)(issued % bySite.Count)];
                var session = site[(int)(issued / bySite.Count % site.Count)];
                inFlight.Add(SendOneAsync(session, recorder, started, intended));
            }

            if (inFlight.Count > 1024) inFlight.RemoveAll(t => t.IsCompleted);
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Clamp(1000 / rate, 1, 20)), stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        await Task.WhenAll(inFlight).ConfigureAwait(false);
    }

    private async Task SendOneAsync(SiteSession session, LatencyRecorder recorder, long started, long intendedStart)
    {
        string? error;
        using var timeout = new CancellationTokenSource(options.RequestTimeout);
        try
        {
            using var response = await session.SendAsync(new HttpRequestMessage(HttpMethod.Get, options.Path), timeout.Token).ConfigureAwait(false);
            error = Classify(response);
        }
        catch (OperationCanceledException)
        {
            error = "timeout";
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
        {
            error = "connection_refused";
        }
        catch (HttpRequestException)
        {
            error = "transport";
        }

        var done = Stopwatch.GetTimestamp();
        recorder.Record((int)Stopwatch.GetElapsedTime(started, done).TotalSeconds, Stopwatch.GetElapsedTime(intendedStart, done), error, session.Target);
    }

    private static string? Classify(HttpResponseMessage response)
    {
        var code = (int)response.StatusCode;
        if (code is >= 200 and < 300) return null;
        if (code is 301 or 302 or 303 && response.Headers.Location?.ToString().Contains("/account/login", StringComparison.OrdinalIgnoreCase) == true)
        {
            return "session_lost";
        }

        return response.StatusCode switch
        {
            HttpStatusCode.ServiceUnavailable when response.Headers.RetryAfter is not null => RetryLaterKind,
            HttpStatusCode.ServiceUnavailable => "http_503",
            HttpStatusCode.TooManyRequests => "http_429",
            _ when code >= 500 => "http_5xx",
            _ when code >= 400 => "http_4xx",
            _ => "http_" + code,
        };
    }

    private async Task ReportProgressAsync(LatencyRecorder recorder, long started, Action<LoadProgress>? progress, CancellationToken stop)
    {
        if (progress is null) return;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                var (requests, errors, p50, p99) = recorder.Snapshot();
                progress(new LoadProgress(LoadPhase.Running, 0, options.Users, Stopwatch.GetElapsedTime(started), requests, errors, p50, p99));
            }
        }
        catch (OperationCanceledException)
        {
            // The load window ended.
        }
    }
}
