using System.Diagnostics.Metrics;

namespace Lifeguard.Telemetry;

/// <summary>Reads exact idle/used connection counts from a provider's own meter when it follows the OpenTelemetry
/// pool convention (<c>db.client.connection.count</c> by <c>db.client.connection.state</c>), as Npgsql's "Npgsql" meter does.
/// Provider-neutral: it only listens to a meter by name; nothing is re-exported.</summary>
internal sealed class ProviderMeterPoolCounts : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly string _poolName;
    private readonly Lock _lock = new();
    private long _idle;
    private long _used;
    private bool _seen;

    /// <summary>Listens to <paramref name="meterName"/>'s connection-count instrument for the pool tagged <paramref name="poolName"/>.</summary>
    public ProviderMeterPoolCounts(string meterName, string poolName)
    {
        ArgumentNullException.ThrowIfNull(meterName);
        _poolName = poolName ?? throw new ArgumentNullException(nameof(poolName));
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == meterName && instrument.Name == LifeguardInstruments.Count) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<int>((_, value, tags, _) => OnMeasurement(value, tags));
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) => OnMeasurement(value, tags));
        _listener.Start();
    }

    /// <summary>The pool's current counts, or null when the provider reported nothing for it.</summary>
    public PoolCounts? Read()
    {
        // Observable callbacks run synchronously inside RecordObservableInstruments, on this thread, under the lock.
        lock (_lock)
        {
            _idle = _used = 0;
            _seen = false;
            _listener.RecordObservableInstruments();
            return _seen ? new PoolCounts((int)_idle, (int)_used) : null;
        }
    }

    private void OnMeasurement(long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string? pool = null, state = null;
        foreach (var tag in tags)
        {
            if (tag.Key == LifeguardInstruments.PoolNameTag) pool = tag.Value as string;
            else if (tag.Key == LifeguardInstruments.StateTag) state = tag.Value as string;
        }
        if (pool != _poolName) return;
        _seen = true;
        if (state == "idle") _idle += value;
        else if (state == "used") _used += value;
    }

    /// <inheritdoc />
    public void Dispose() => _listener.Dispose();
}
