using Microsoft.Extensions.Time.Testing;

namespace Lifeguard.Tests.Leases;

/// <summary>A fake clock that runs a hook at the next timestamp read: the interleaving tests put another thread's step
/// exactly between a read and the store that follows it.</summary>
internal sealed class HookedTime : TimeProvider
{
    private readonly FakeTimeProvider _inner = new();

    public Action? OnNextTimestamp { get; set; }

    public void Advance(TimeSpan by) => _inner.Advance(by);

    public override long TimestampFrequency => _inner.TimestampFrequency;

    public override long GetTimestamp()
    {
        var hook = OnNextTimestamp;
        OnNextTimestamp = null;
        hook?.Invoke();
        return _inner.GetTimestamp();
    }

    public override DateTimeOffset GetUtcNow() => _inner.GetUtcNow();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        _inner.CreateTimer(callback, state, dueTime, period);
}
