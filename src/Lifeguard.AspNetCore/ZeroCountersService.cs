using Microsoft.Extensions.Hosting;

namespace Lifeguard.AspNetCore;

/// <summary>Publishes the guard's counters at 0 once the app (and so the MeterProvider) has started:
/// a series that first appears at 1 hides the first timeout from increase().</summary>
internal sealed class ZeroCountersService(GuardedDataSource guard, IHostApplicationLifetime lifetime) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(guard.PublishZeroCounters);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
