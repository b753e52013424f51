using Lifeguard.Testing.Network;

namespace Lifeguard.Testing.Faults;

/// <summary>
/// Delay added on the relay between the site and its database (a route change, a cross-zone move): the relay's one-way
/// delay goes up to <c>oneWay</c> until <see cref="RestoreAsync"/> puts the original back. No pool size fixes it.
/// </summary>
public sealed class NetworkDelayFault(DelayRelay proxy, TimeSpan oneWay) : IFaultInjector
{
    private TimeSpan? _original;

    /// <inheritdoc/>
    public string Description => $"one-way delay on the site's path to PostgreSQL raised from {(_original ?? proxy.OneWayDelay).TotalMilliseconds:0} ms to {oneWay.TotalMilliseconds:0} ms";

    /// <inheritdoc/>
    public Task InjectAsync(CancellationToken cancellationToken)
    {
        _original = proxy.OneWayDelay;
        proxy.OneWayDelay = oneWay;
        return Task.CompletedTask;
    }

    /// <summary>Puts the original delay back (the path fixed).</summary>
    public Task RestoreAsync()
    {
        if (_original is { } o) proxy.OneWayDelay = o;
        return Task.CompletedTask;
    }

    /// <summary>Undoes the fault: whatever it holds is released.</summary>
    public ValueTask DisposeAsync() => new(RestoreAsync());
}
