using HdrHistogram;

namespace Lifeguard.Cli.Load;

/// <summary>
/// Records request latencies (HdrHistogram, microseconds, 3 significant digits) overall and per
/// second of the run, plus error counts by kind. Thread-safe; contention is irrelevant at the
/// request rates a load run on one machine reaches.
/// </summary>
internal sealed class LatencyRecorder
{
    private const long HighestMicros = 3_600_000_000; // one hour
    private readonly Lock _gate = new();
    private readonly LongHistogram _all = new(HighestMicros, 3);
    // Pages served (2xx) and requests told to retry later (503 + Retry-After), apart: a fast 503 must not make the
    // served pages look fast, and a 503 is judged by how fast it came (shed at once, or after a whole pool timeout).
    private readonly LongHistogram _served = new(HighestMicros, 3);
    private readonly LongHistogram _retryLater = new(HighestMicros, 3);
    private readonly Dictionary<int, SecondBucket> _seconds = [];
    private readonly Dictionary<string, long> _errorsByKind = new(StringComparer.Ordinal);
    // per --url site (index into the options' targets): a fleet's load must show which instance refused
    private readonly Dictionary<int, TargetBucket> _targets = [];
    private long _errors;
    private long _over10s;
    private long _overSlo;
    private long _overSlow;
    private readonly TimeSpan _slo;
    private readonly TimeSpan _slow;

    /// <param name="slo">Latency objective: the summary's share over SLO.</param>
    /// <param name="slow">What counts as a slow request for <see cref="ShareOverSlow"/> (default 10 s, the postmortem's).</param>
    public LatencyRecorder(TimeSpan? slo = null, TimeSpan? slow = null)
    {
        _slo = slo ?? TimeSpan.FromSeconds(1);
        _slow = slow ?? TimeSpan.FromSeconds(10);
    }

    /// <summary>Share of the requests recorded so far that took at least the recorder's slow threshold.</summary>
    public double ShareOverSlow()
    {
        lock (_gate) return _all.TotalCount == 0 ? 0 : Math.Round((double)_overSlow / _all.TotalCount, 4);
    }

    /// <param name="target">Index of the site among the run's --url targets (0 with one site).</param>
    public void Record(int second, TimeSpan latency, string? errorKind, int target = 0)
    {
        var micros = Math.Clamp((long)(latency.Ticks / 10.0), 1, HighestMicros);
        lock (_gate)
        {
            if (!_targets.TryGetValue(target, out var site))
            {
                site = new TargetBucket();
                _targets[target] = site;
            }

            site.Histogram.RecordValue(micros);
            if (errorKind is not null)
            {
                site.Errors++;
                site.ErrorsByKind[errorKind] = site.ErrorsByKind.GetValueOrDefault(errorKind) + 1;
            }

            _all.RecordValue(micros);
            if (latency >= TimeSpan.FromSeconds(10)) _over10s++;
            if (latency > _slo) _overSlo++;
            if (latency >= _slow) _overSlow++;
            if (errorKind is null) _served.RecordValue(micros);
            else if (errorKind == LoadRunner.RetryLaterKind) _retryLater.RecordValue(micros);
            if (!_seconds.TryGetValue(second, out var bucket))
            {
                bucket = new SecondBucket();
                _seconds[second] = bucket;
            }

            bucket.Histogram.RecordValue(micros);
            if (errorKind is not null)
            {
                _errors++;
                bucket.Errors++;
                _errorsByKind[errorKind] = _errorsByKind.GetValueOrDefault(errorKind) + 1;
            }
        }
    }

    /// <summary>Totals so far, for live progress.</summary>
    public (long Requests, long Errors, double P50Ms, double P99Ms) Snapshot()
    {
        lock (_gate)
        {
            return (_all.TotalCount, _errors, Percentile(_all, 50), Percentile(_all, 99));
        }
    }

    /// <summary>Requests completed in second <paramref name="t"/> of the run, with their latency percentiles.</summary>
    public (long Requests, long Errors, double P50Ms, double P99Ms) Second(int t)
    {
        lock (_gate)
        {
            return _seconds.TryGetValue(t, out var b)
                ? (b.Histogram.TotalCount, b.Errors, Ms(b.Histogram.GetValueAtPercentile(50)), Ms(b.Histogram.GetValueAtPercentile(99)))
                : (0, 0, 0, 0);
        }
    }

    /// <summary>The run's summary over everything recorded.</summary>
    public LoadSummary Summarize(LoadOptions options, TimeSpan elapsed, int loggedIn)
    {
        lock (_gate)
        {
            var n = _all.TotalCount;
            var timeline = _seconds.OrderBy(kv => kv.Key).Select(kv => new LoadSecond(
                kv.Key,
                kv.Value.Histogram.TotalCount,
                kv.Value.Errors,
                Ms(kv.Value.Histogram.GetValueAtPercentile(50)),
                Ms(kv.Value.Histogram.GetValueAtPercentile(99)))).ToList();
            var targets = options.Targets;
            var perUrl = targets.Select((u, i) =>
            {
                var b = _targets.GetValueOrDefault(i);
                var count = b?.Histogram.TotalCount ?? 0;
                return new LoadUrlSummary
                {
                    Url = new Uri(u, options.Path).ToString(),
                    Users = loggedIn / targets.Count + (i < loggedIn % targets.Count ? 1 : 0),
                    Requests = count,
                    Ok = count - (b?.Errors ?? 0),
                    Errors = b?.Errors ?? 0,
                    ErrorsByKind = new SortedDictionary<string, long>(b?.ErrorsByKind ?? [], StringComparer.Ordinal),
                    P50Ms = b is null ? 0 : Percentile(b.Histogram, 50),
                    P99Ms = b is null ? 0 : Percentile(b.Histogram, 99),
                };
            }).ToList();
            return new LoadSummary
            {
                Mode = options.IsOpenLoop ? "open" : "closed",
                Url = string.Join(",", perUrl.Select(u => u.Url)),
                PerUrl = perUrl,
                Users = options.Users,
                LoggedInUsers = loggedIn,
                Rate = options.Rate,
                ThinkMs = options.ThinkTime.TotalMilliseconds,
                DurationS = Math.Round(elapsed.TotalSeconds, 3),
                Requests = n,
                Ok = n - _errors,
                Errors = _errors,
                ErrorRate = n == 0 ? 0 : Math.Round((double)_errors / n, 4),
                ErrorsByKind = new SortedDictionary<string, long>(_errorsByKind, StringComparer.Ordinal),
                ThroughputRps = elapsed.TotalSeconds <= 0 ? 0 : Math.Round(n / elapsed.TotalSeconds, 2),
                MeanMs = n == 0 ? 0 : Math.Round(_all.GetMean() / 1000.0, 3),
                P50Ms = Ms(_all.GetValueAtPercentile(50)),
                P90Ms = Ms(_all.GetValueAtPercentile(90)),
                P99Ms = Ms(_all.GetValueAtPercentile(99)),
                MaxMs = n == 0 ? 0 : Ms(_all.GetMaxValue()),
                ShareOver10s = n == 0 ? 0 : Math.Round((double)_over10s / n, 4),
                ServedP50Ms = Percentile(_served, 50),
                ServedP99Ms = Percentile(_served, 99),
                RetryLater = _retryLater.TotalCount,
                RetryLaterP99Ms = Percentile(_retryLater, 99),
                SloMs = _slo.TotalMilliseconds,
                ShareOverSlo = n == 0 ? 0 : Math.Round((double)_overSlo / n, 4),
                Timeline = timeline,
            };
        }
    }

    // An empty histogram has no percentile (HdrHistogram throws): 0, as an interval without requests reads elsewhere.
    private static double Percentile(LongHistogram h, double p) => h.TotalCount == 0 ? 0 : Ms(h.GetValueAtPercentile(p));

    private static double Ms(long micros) => Math.Round(micros / 1000.0, 3);

    private sealed class TargetBucket
    {
        public LongHistogram Histogram { get; } = new(HighestMicros, 3);

        public long Errors { get; set; }

        public Dictionary<string, long> ErrorsByKind { get; } = new(StringComparer.Ordinal);
    }

    private sealed class SecondBucket
    {
        public LongHistogram Histogram { get; } = new(HighestMicros, 2);

        public long Errors { get; set; }
    }
}
