using System.Globalization;

namespace Lifeguard.Diagnosis;

/// <summary>
/// The one diagnoser: fed one <see cref="DiagnosisSample"/> per second, it names the cause that held for most of the
/// recent window, the root when several hold (the others become consequences), since when, and keeps a per-second
/// history. Pure and deterministic (time comes from the samples); thread-safe.
/// </summary>
public sealed class Diagnoser
{
    // When two causes hold at once, the first in this order is the root: an unreachable server or full slots explain
    // everything after them; a lock queue explains slow holds, a full pool and a busy CPU; a leak starves the pool;
    // slow queries burn CPU (the order between those two is decided from the statements' share, see Root).
    private static readonly DiagnosisCause[] Precedence =
    [
        DiagnosisCause.DatabaseUnavailable, DiagnosisCause.ConnectionLimit, DiagnosisCause.LockContention,
        DiagnosisCause.ConnectionLeak, DiagnosisCause.SlowQueries, DiagnosisCause.DatabaseCpu,
        DiagnosisCause.NetworkLatency, DiagnosisCause.PoolerSaturated, DiagnosisCause.PoolTooSmall,
    ];

    private const int BaselineCapacity = 120;
    private readonly DiagnosisOptions _options;
    private readonly Queue<(DiagnosisSample Sample, List<RuleFinding> Findings, bool Symptom)> _window = new();
    private readonly Queue<DiagnosisSecond> _history = new();
    private readonly Queue<double> _healthyHolds = new();
    private readonly Queue<double> _healthyRoundTrips = new();
    private readonly Lock _lock = new();
    private DiagnosisReport _current;
    private (DateTimeOffset SeenAt, DateTimeOffset StartedAt)? _restart;

    /// <summary>Creates a diagnoser; options are validated (DataAnnotations).</summary>
    public Diagnoser(DiagnosisOptions? options = null)
    {
        _options = options ?? new DiagnosisOptions();
        System.ComponentModel.DataAnnotations.Validator.ValidateObject(_options, new(_options), validateAllProperties: true);
        _current = new DiagnosisReport { Cause = DiagnosisCause.Healthy, Summary = "No signals yet.", Confidence = 0 };
    }

    /// <summary>Raised (inside <see cref="Observe"/>) when the named cause changes: previous, then current.</summary>
    public event Action<DiagnosisReport, DiagnosisReport>? CauseChanged;

    /// <summary>The latest diagnosis.</summary>
    public DiagnosisReport Current
    {
        get { lock (_lock) return _current; }
    }

    /// <summary>The per-second history, oldest first.</summary>
    public IReadOnlyList<DiagnosisSecond> History()
    {
        lock (_lock) return [.. _history];
    }

    /// <summary>Judges one more second and returns the diagnosis.</summary>
    public DiagnosisReport Observe(DiagnosisSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        DiagnosisReport previous, current;
        lock (_lock)
        {
            previous = _current;
            var baseline = Baseline();
            var findings = DiagnosisRules.Evaluate(sample, baseline, _options);
            var symptom = DiagnosisRules.Symptom(sample, _options);
            _window.Enqueue((sample, findings, symptom));
            while (_window.Count > _options.WindowSeconds) _window.Dequeue();

            if (sample.Server is { Restarted: true, StartedAt: { } started }) _restart = (sample.At, started);
            current = WithRestart(Decide(sample, baseline, previous), sample);
            if (current.Cause == DiagnosisCause.Healthy && findings.Count == 0 && !symptom) Learn(sample);
            _current = current;
            _history.Enqueue(Second(sample, current.Cause));
            while (_history.Count > _options.HistorySeconds) _history.Dequeue();
        }
        if (previous.Cause != current.Cause) CauseChanged?.Invoke(previous, current);
        return current;
    }

    private DiagnosisReport Decide(DiagnosisSample sample, DiagnosisBaseline baseline, DiagnosisReport previous)
    {
        var held = new Dictionary<DiagnosisCause, int>();
        foreach (var (_, findings, _) in _window)
        {
            foreach (var f in findings) held[f.Cause] = held.GetValueOrDefault(f.Cause) + 1;
        }
        // Hysteresis: the cause already named stays on fewer seconds than a new one needs.
        var holding = Precedence.Where(c => held.GetValueOrDefault(c) >= (c == previous.Cause ? Stay(c) : Sustain(c))).ToList();
        if (holding.Count == 0)
        {
            var symptoms = _window.Count(w => w.Symptom);
            return symptoms >= Math.Min(_options.SustainSeconds, _options.WindowSeconds)
                ? Unknown(sample, baseline, previous, symptoms)
                : Healthy(sample, previous);
        }

        var root = Root(holding, sample);
        var finding = _window.Reverse().SelectMany(w => w.Findings).First(f => f.Cause == root);
        var since = previous.Cause == root ? previous.Since : _window.First(w => w.Findings.Any(f => f.Cause == root)).Sample.At;
        // Stated as how often a cause named with this raw score was right on the accuracy corpus (docs/accuracy.md).
        var raw = Math.Round(finding.Strength * held[root] / (double)_window.Count, 2);
        var confidence = _options.CalibrateConfidence ? ConfidenceCalibration.Default.Apply(raw) : raw;
        // A cause about to be named on weak evidence is a guess, and a wrong one sends the responder the wrong way: below
        // the threshold say unknown with the candidates. Only the naming is gated (a named cause stays by the hysteresis),
        // and not the causes read from typed errors (an unreachable server, refused slots), which are never a guess.
        if (confidence < _options.MinConfidence && previous.Cause != root && root is not (DiagnosisCause.DatabaseUnavailable or DiagnosisCause.ConnectionLimit))
            return Tentative(sample, previous, holding, held, confidence);
        return new DiagnosisReport
        {
            Cause = root,
            Summary = finding.Summary,
            Evidence = finding.Evidence,
            Remedy = finding.Remedy,
            Avoid = finding.Avoid,
            Since = since,
            Confidence = confidence,
            Consequences = holding.Where(c => c != root).ToList(),
            Signals = sample,
        };
    }

    // A restart explains what users saw a moment ago (errors, a cold cache) even once the diagnosis is healthy again: it
    // stays in the evidence for the history's length.
    private DiagnosisReport WithRestart(DiagnosisReport d, DiagnosisSample sample)
    {
        if (_restart is not { } r || sample.At - r.SeenAt > TimeSpan.FromSeconds(_options.HistorySeconds)) return d;
        var line = F($"server: restarted, postmaster started at {r.StartedAt.ToUniversalTime():yyyy-MM-dd HH:mm:ss}Z ({(sample.At - r.StartedAt).TotalSeconds:0} s ago)");
        return d with { Evidence = [.. d.Evidence, line] };
    }

    private int Sustain(DiagnosisCause cause) =>
        Math.Min(_options.WindowSeconds, cause is DiagnosisCause.DatabaseUnavailable or DiagnosisCause.ConnectionLimit
            ? _options.ErrorSustainSeconds : _options.SustainSeconds);

    private int Stay(DiagnosisCause cause) => Math.Min(Sustain(cause), _options.StaySeconds);

    private DiagnosisCause Root(List<DiagnosisCause> holding, DiagnosisSample sample)
    {
        if (holding.Contains(DiagnosisCause.SlowQueries) && holding.Contains(DiagnosisCause.DatabaseCpu)
            && holding.IndexOf(DiagnosisCause.SlowQueries) == holding.IndexOf(DiagnosisCause.DatabaseCpu) - 1)
        {
            // A few statements that got slower and take most of the server's time are what burns the CPU (a dropped
            // index); a CPU busy across the board makes every statement slower, and then the CPU is the root.
            // Statements still running (a batch job, a runaway query) are not in the statement statistics yet, so
            // who is on CPU decides first: when the application's own sessions are not most of them, someone else
            // burns the CPU and the application's statements are slower because of it.
            if (sample.Server is { ApplicationName.Length: > 0 } server && server.AppActiveOnCpu * 2 < server.ActiveOnCpu)
                return DiagnosisCause.DatabaseCpu;
            var share = DiagnosisRules.Slowed(sample.Server, _options).Sum(x => x.ShareOfExecution);
            if (share < _options.StatementRootShare) return DiagnosisCause.DatabaseCpu;
        }
        if (holding[0] == DiagnosisCause.SlowQueries && holding.Contains(DiagnosisCause.NetworkLatency)
            && DiagnosisRules.Slowed(sample.Server, _options).Count == 0)
        {
            // Connections are held longer but no statement runs longer on the server: the time goes to round trips.
            return DiagnosisCause.NetworkLatency;
        }
        return holding[0];
    }

    private DiagnosisReport Healthy(DiagnosisSample sample, DiagnosisReport previous)
    {
        var evidence = new List<string>();
        if (sample.Pool is { } p) evidence.Add(F($"pool: {p.InUse}/{p.Max} in use, {p.Waiters} waiting, hold p99 {p.HoldP99Ms:0.0} ms"));
        if (sample.Server is { Reachable: true } s)
            evidence.Add(F($"server: answers in {s.RoundTripMs:0.0} ms, {s.ActiveOnCpu} session(s) on CPU of {s.Cores:0.#} core(s), {s.LockWaiters} lock wait(s), ")
                + (s.ReadThroughPooler ? "read through a pooler (the server's own slots are not visible)" : F($"{s.Backends}/{s.UsableConnections} slots")));
        if (sample.Pooler is { Reachable: true } q)
            evidence.Add(F($"pooler: {q.ClientsWaiting} client(s) waiting, {q.ServersActive}/{q.PoolSize} server connection(s) active for {q.Database}/{q.User}"));
        return new DiagnosisReport
        {
            Cause = DiagnosisCause.Healthy,
            Summary = "No cause: the pool serves without queueing and the server answers.",
            Evidence = evidence,
            Since = previous.Cause == DiagnosisCause.Healthy && previous.Signals is not null ? previous.Since : sample.At,
            Confidence = sample.Server is null ? 0.7 : 1,
            Signals = sample,
        };
    }

    private DiagnosisReport Tentative(DiagnosisSample sample, DiagnosisReport previous, List<DiagnosisCause> holding, Dictionary<DiagnosisCause, int> held, double confidence)
    {
        var evidence = new List<string>();
        foreach (var cause in holding)
        {
            var f = _window.Reverse().SelectMany(w => w.Findings).First(x => x.Cause == cause);
            evidence.Add(F($"candidate {DiagnosisCauses.NameOf(cause)}: held {held[cause]} of the last {_window.Count} s: {f.Summary}"));
            if (f.Evidence.Count > 0) evidence.Add(F($"candidate {DiagnosisCauses.NameOf(cause)}: {f.Evidence[0]}"));
        }
        return new DiagnosisReport
        {
            Cause = DiagnosisCause.Unknown,
            Summary = F($"Not sure yet (confidence {confidence:0.00}, below {_options.MinConfidence:0.00}): the leading candidate is {DiagnosisCauses.NameOf(holding[0])}{(holding.Count > 1 ? ", also " + string.Join(", ", holding.Skip(1).Select(DiagnosisCauses.NameOf)) : "")}."),
            Evidence = evidence,
            Remedy = "Watch the next seconds: the candidate whose evidence keeps holding is named (the live page's history shows each second). What separates them is in each candidate's evidence.",
            Avoid = "Do not act on a candidate yet: a remedy for the wrong cause (growing the pool, ending sessions) can make it worse.",
            Since = previous.Cause == DiagnosisCause.Unknown ? previous.Since : sample.At,
            Confidence = confidence,
            Consequences = holding.Skip(1).ToList(),
            Signals = sample,
        };
    }

    private DiagnosisReport Unknown(DiagnosisSample sample, DiagnosisBaseline baseline, DiagnosisReport previous, int symptoms)
    {
        var evidence = new List<string>();
        if (sample.Pool is { } p)
        {
            evidence.Add(F($"pool: {p.InUse}/{p.Max} in use, {p.Waiters} waiting, {p.Timeouts} timeout(s), {p.Errors.Total} error(s) in the last second, wait p99 {p.WaitP99Ms:0} ms, hold p99 {p.HoldP99Ms:0.0} ms{(baseline.HoldP99Ms is { } h ? F($" (normally {h:0.0} ms)") : "")}"));
            if (p.Errors.Other > 0) evidence.Add(F($"app: {p.Errors.Other} database error(s) of no diagnosed kind (authentication, permissions, bugs)"));
        }
        if (sample.Server is { } s)
            evidence.Add(s.Reachable
                ? F($"server: {s.ActiveOnCpu} on CPU of {s.Cores:0.#} core(s), {s.LockWaiters} lock wait(s), {s.Backends}/{s.UsableConnections} slots, round trip {s.RoundTripMs:0.0} ms")
                : "server: cannot be read: " + s.Error);
        else evidence.Add("server: not observed (no server signal source configured)");

        // What no rule names but points the way: requests that wait while the database idles spend their time in the
        // application (its CPU, or work done while holding a connection).
        var appSide = false;
        if (sample is { Pool: { InUse: > 0 } pool, Server: { Reachable: true, ApplicationName.Length: > 0 } app } && app.AppActive < pool.InUse * _options.HeldIdleShare)
        {
            evidence.Add(F($"server: {app.AppActive} of the {pool.InUse} leased connection(s) ran a statement at the sample: the rest were held by the application between statements"));
            appSide = true;
        }
        if (sample.Server is { Reachable: true, HostCpuBusy: { } busy })
        {
            evidence.Add(F($"host: CPUs {busy * 100:0}% busy (the database runs on this host)"));
            appSide |= sample.Pool is not null && busy >= _options.HostCpuSaturation && sample.Server.ActiveOnCpu < sample.Server.Cores;
        }
        if (sample.Server is { Reachable: true, HostLagMs: { } lag } && lag >= 1)
            evidence.Add(F($"this host: a 1 ms timer ran {lag:0.0} ms late (the application's threads wait for a CPU)"));
        if (sample.Server is { Reachable: true, HostCpuPressure: >= 0.1 and var pressure })
            evidence.Add(F($"this host: some task waited for a CPU {pressure * 100:0}% of the time"));
        var remedy = "Read the history on /lifeguard and the server's pg_stat_activity; if the server side is not observed, configure it (AddLifeguardPostgres).";
        if (appSide)
            remedy = "The database is idle while requests wait: look at the application side first, its CPU (the process, garbage collection, anything else burning the host's cores) and work done while holding a connection. " + remedy;
        return new DiagnosisReport
        {
            Cause = DiagnosisCause.Unknown,
            Summary = "Users are affected (waits, timeouts or errors) but no rule explains it.",
            Evidence = evidence,
            Remedy = remedy,
            Avoid = "Do not grow the pool on a guess: if the database is the bottleneck, more connections make it worse.",
            Since = previous.Cause == DiagnosisCause.Unknown ? previous.Since : _window.First(w => w.Symptom).Sample.At,
            Confidence = Math.Round(0.5 * symptoms / _window.Count, 2),
            Signals = sample,
        };
    }

    private DiagnosisBaseline Baseline()
    {
        double? hold = _healthyHolds.Count >= _options.BaselineMinSeconds ? Median(_healthyHolds) : null;
        double? rtt = _healthyRoundTrips.Count >= _options.BaselineMinSeconds ? Median(_healthyRoundTrips) : null;
        return new DiagnosisBaseline(hold, rtt);
    }

    private void Learn(DiagnosisSample sample)
    {
        if (sample.Pool is { Returned: > 0 } p) Push(_healthyHolds, p.HoldP99Ms);
        if (sample.Server is { Reachable: true } s) Push(_healthyRoundTrips, s.RoundTripMs);
    }

    private static void Push(Queue<double> q, double value)
    {
        q.Enqueue(value);
        while (q.Count > BaselineCapacity) q.Dequeue();
    }

    private static double Median(IEnumerable<double> values)
    {
        var v = values.Order().ToArray();
        return v.Length % 2 == 1 ? v[v.Length / 2] : (v[(v.Length / 2) - 1] + v[v.Length / 2]) / 2;
    }

    private static DiagnosisSecond Second(DiagnosisSample s, DiagnosisCause cause) => new()
    {
        At = s.At,
        Cause = cause,
        InUse = s.Pool?.InUse ?? 0,
        Max = s.Pool?.Max ?? 0,
        Waiters = s.Pool?.Waiters ?? 0,
        WaitP99Ms = s.Pool?.WaitP99Ms ?? 0,
        HoldP99Ms = s.Pool?.HoldP99Ms ?? 0,
        Failures = (s.Pool?.Timeouts ?? 0) + (s.Pool?.Errors.Total ?? 0),
        ServerReachable = s.Server?.Reachable,
        ActiveOnCpu = s.Server?.ActiveOnCpu ?? 0,
        LockWaiters = s.Server?.LockWaiters ?? 0,
        ActiveWaiting = s.Server is { } server ? Math.Max(0, server.Active - server.ActiveOnCpu - server.LockWaiters) : 0,
        Cores = s.Server?.Cores ?? 0,
        Backends = s.Server?.Backends ?? 0,
        RoundTripMs = s.Server?.RoundTripMs ?? 0,
    };

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
