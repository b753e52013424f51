namespace Lifeguard.Cli.Drill.Faults;

/// <summary>
/// Delay added on the relay between the site and its database (a route change, a cross-zone move): the relay's one-way
/// delay goes up to <c>oneWay</c> until <see cref="RestoreAsync"/> puts the original back. No pool size fixes it.
/// </summary>
internal sealed class NetworkDelayFault(Lifeguard.Testing.Network.DelayRelay proxy, TimeSpan oneWay) : IDrillFault
{
    private TimeSpan? _original;

    public string Description => $"one-way delay on the site's path to PostgreSQL raised from {(_original ?? proxy.OneWayDelay).TotalMilliseconds:0} ms to {oneWay.TotalMilliseconds:0} ms";

    public Task InjectAsync(CancellationToken ct)
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

    public ValueTask DisposeAsync() => new(RestoreAsync());
}
