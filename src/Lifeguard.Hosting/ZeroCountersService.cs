using Microsoft.Extensions.Hosting;

namespace Lifeguard.Hosting;

/// <summary>Publishes every guard's counters at 0 once the app (and so the MeterProvider) has started:
/// a series that first appears at 1 hides the first timeout from increase(). Without a host (a bare ServiceProvider in
/// a console app) nothing starts it; the lifetime is optional so such a provider still validates.</summary>
internal sealed class ZeroCountersService(LifeguardPools pools, IHostApplicationLifetime? lifetime) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Guards are created here, before the server takes requests (hosted services start first): a guard made lazily
        // by the first request left a scrape before it without any pool family (seen: /metrics with only target_info).
        _ = pools.All;
        if (lifetime is null) Publish();
        else lifetime.ApplicationStarted.Register(Publish);
        return Task.CompletedTask;
    }

    private void Publish()
    {
        foreach (var pool in pools.All) pool.Guard.PublishZeroCounters();
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
