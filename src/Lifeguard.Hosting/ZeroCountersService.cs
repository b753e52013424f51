using Microsoft.Extensions.Hosting;

namespace Lifeguard.Hosting;

/// <summary>Publishes every guard's counters at 0 once the app (and so the MeterProvider) has started:
/// a series that first appears at 1 hides the first timeout from increase().</summary>
internal sealed class ZeroCountersService(LifeguardPools pools, IHostApplicationLifetime lifetime) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            foreach (var pool in pools.All) pool.Guard.PublishZeroCounters();
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
