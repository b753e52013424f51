using Microsoft.Extensions.Time.Testing;

namespace Lifeguard.Tests;

/// <summary>A FakeTimeProvider that counts timers created, to prove leak detection off creates none.</summary>
internal sealed class CountingTimeProvider : FakeTimeProvider
{
    public int TimersCreated;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        Interlocked.Increment(ref TimersCreated);
        return base.CreateTimer(callback, state, dueTime, period);
    }
}
