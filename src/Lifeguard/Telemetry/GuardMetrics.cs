using System.Diagnostics.Metrics;
using Lifeguard.Leases;

namespace Lifeguard.Telemetry;

/// <summary>The guard's OpenTelemetry instruments. Gauges are observed from the tracker's counters, so the hot
/// path only records the two histograms (and those are no-ops while nobody listens).</summary>
internal sealed class GuardMetrics : IDisposable
{
    /// <summary>The histograms' descriptions (HELP), also written for them before their first lease.</summary>
    internal const string WaitTimeDescription = LifeguardInstruments.WaitTimeDescription;
    internal const string UseTimeDescription = LifeguardInstruments.UseTimeDescription;

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly KeyValuePair<string, object?> _poolTag;
    private readonly Histogram<double> _wait;
    private readonly Histogram<double> _use;
    private readonly Counter<long> _timeouts;
    private readonly Counter<long> _leaks;
    private readonly Counter<long> _rejections;
    private readonly Counter<long> _errors;

    public GuardMetrics(IMeterFactory? factory, string poolName, LeaseTracker tracker)
    {
        if (factory is null) { _meter = new Meter(LifeguardInstruments.MeterName); _ownsMeter = true; }
        else _meter = factory.Create(new MeterOptions(LifeguardInstruments.MeterName));
        _poolTag = new(LifeguardInstruments.PoolNameTag, poolName);
        var advice = new InstrumentAdvice<double> { HistogramBucketBoundaries = LifeguardInstruments.DurationBuckets };
        _wait = _meter.CreateHistogram(LifeguardInstruments.WaitTime, "s", WaitTimeDescription, advice: advice);
        _use = _meter.CreateHistogram(LifeguardInstruments.UseTime, "s", UseTimeDescription, advice: advice);
        _timeouts = _meter.CreateCounter<long>(LifeguardInstruments.Timeouts, "{timeout}", "Connection opens that timed out waiting for the pool.");
        _leaks = _meter.CreateCounter<long>(LifeguardInstruments.Leaks, "{leak}", "Leases held longer than the leak threshold.");
        _rejections = _meter.CreateCounter<long>(LifeguardInstruments.Rejections, "{request}", "Connection opens rejected by admission control.");
        _errors = _meter.CreateCounter<long>(LifeguardInstruments.Errors, "{error}", "Connection opens that failed for reasons other than pool exhaustion.");
        var pool = _poolTag;
        var idle = new KeyValuePair<string, object?>(LifeguardInstruments.StateTag, "idle");
        var used = new KeyValuePair<string, object?>(LifeguardInstruments.StateTag, "used");
        _meter.CreateObservableUpDownCounter(LifeguardInstruments.Count, () => new[]
        {
            new Measurement<long>(tracker.Idle, pool, idle),
            new Measurement<long>(tracker.InUse, pool, used),
        }, "{connection}", "Connections in the pool by state.");
        _meter.CreateObservableUpDownCounter(LifeguardInstruments.Max, () => new Measurement<long>(tracker.EffectiveMax, pool), "{connection}", "Maximum number of open connections allowed.");
        _meter.CreateObservableUpDownCounter(LifeguardInstruments.PendingRequests, () => new Measurement<long>(tracker.Waiters, pool), "{request}", "Opens waiting for a connection.");
        // Attribution is exported from the per-operation histograms the tracker keeps anyway: nothing more on the hot path.
        _meter.CreateObservableCounter(LifeguardInstruments.OperationHoldTime, () => tracker.OperationSnapshot()
            .Select(o => new Measurement<double>(o.TotalHoldSeconds, pool, new(LifeguardInstruments.OperationTag, o.Operation))),
            "s", "Connection-seconds held, by route or operation.");
        _meter.CreateObservableCounter(LifeguardInstruments.OperationLeases, () => tracker.OperationSnapshot()
            .Select(o => new Measurement<long>(o.Leases, pool, new(LifeguardInstruments.OperationTag, o.Operation))),
            "{lease}", "Leases, by route or operation.");
    }

    public void RecordWait(TimeSpan elapsed)
    {
        if (_wait.Enabled) _wait.Record(elapsed.TotalSeconds, _poolTag);
    }

    /// <summary>Whether anybody listens to the use-time histogram (the hot path skips converting the duration otherwise).</summary>
    public bool UseEnabled => _use.Enabled;

    public void RecordUse(TimeSpan elapsed)
    {
        if (_use.Enabled) _use.Record(elapsed.TotalSeconds, _poolTag);
    }

    public void Timeout() => _timeouts.Add(1, _poolTag);

    public void Leak() => _leaks.Add(1, _poolTag);

    public void Rejected() => _rejections.Add(1, _poolTag);

    public void Error() => _errors.Add(1, _poolTag);

    /// <summary>Publishes every counter at 0 so <c>increase()</c> sees the first event; call after exporters started.</summary>
    public void PublishZeroCounters()
    {
        _timeouts.Add(0, _poolTag);
        _leaks.Add(0, _poolTag);
        _rejections.Add(0, _poolTag);
        _errors.Add(0, _poolTag);
    }

    public void Dispose()
    {
        if (_ownsMeter) _meter.Dispose();
    }
}
