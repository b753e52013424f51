using System.Data.Common;

namespace Lifeguard.Testing;

/// <summary>
/// Runs N concurrent workers against a real <see cref="DbDataSource"/> for a bounded time, each
/// repeatedly opening a connection, doing the given work and disposing it; measures how long opens
/// waited and connections were held, and counts pool timeouts. For tests such as "at peak
/// concurrency nobody waits more than X".
/// </summary>
public static class PoolLoadTest
{
    /// <summary>Runs the load; no new open starts after <paramref name="duration"/>, operations in flight finish.</summary>
    /// <remarks>
    /// An open still waiting when the duration ends is cancelled and not counted (its wait is censored);
    /// an exception whose cause chain holds a <see cref="TimeoutException"/> counts as a pool timeout
    /// (Npgsql reports pool exhaustion that way).
    /// </remarks>
    public static async Task<PoolLoadTestResult> RunAsync(
        DbDataSource dataSource,
        int workers,
        TimeSpan duration,
        Func<DbConnection, CancellationToken, Task> work,
        CancellationToken cancellationToken = default,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(work);
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        if (duration <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(duration), duration, "Duration must be positive.");
        var time = timeProvider ?? TimeProvider.System;

        var measurements = new LeaseMeasurements(time);
        var started = time.GetTimestamp();
        // The deadline runs on the given TimeProvider, so a test can drive it with FakeTimeProvider.
        using var timer = new CancellationTokenSource(duration, time);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);

        async Task Worker()
        {
            // The caller's token, not the deadline, for the work: work in flight at the end completes and is measured.
            while (!deadline.IsCancellationRequested && await measurements.LeaseAsync(dataSource, work, deadline.Token, cancellationToken).ConfigureAwait(false))
            {
            }
        }

        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(Worker, CancellationToken.None))).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return measurements.Result(workers, time.GetElapsedTime(started));
    }

    /// <summary>
    /// Open-loop load: leases arrive as a Poisson stream at <paramref name="arrivalRatePerSecond"/> for
    /// <paramref name="duration"/>, whether or not earlier ones finished (as users arrive at a website);
    /// every started lease is awaited, so no wait is censored. This is the arrival process the sizing
    /// model assumes, so its predictions can be compared with what the real pool does.
    /// </summary>
    /// <remarks><see cref="PoolLoadTestResult.Workers"/> reports the peak number of leases in flight.</remarks>
    public static async Task<PoolLoadTestResult> RunPoissonAsync(
        DbDataSource dataSource,
        double arrivalRatePerSecond,
        TimeSpan duration,
        Func<DbConnection, CancellationToken, Task> work,
        int seed = 1,
        CancellationToken cancellationToken = default,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(work);
        if (!(arrivalRatePerSecond > 0) || double.IsInfinity(arrivalRatePerSecond)) throw new ArgumentOutOfRangeException(nameof(arrivalRatePerSecond), arrivalRatePerSecond, "Arrival rate must be positive.");
        if (duration <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(duration), duration, "Duration must be positive.");
        var time = timeProvider ?? TimeProvider.System;
        var random = new Random(seed);
        var measurements = new LeaseMeasurements(time);
        var inFlight = 0;
        var peak = 0;
        var leases = new List<Task>();

        async Task Lease()
        {
            var now = Interlocked.Increment(ref inFlight);
            for (var seen = Volatile.Read(ref peak); now > seen && Interlocked.CompareExchange(ref peak, now, seen) != seen; seen = Volatile.Read(ref peak)) { }
            try
            {
                await measurements.LeaseAsync(dataSource, work, cancellationToken, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Decrement(ref inFlight);
            }
        }

        var started = time.GetTimestamp();
        var next = 0.0;
        while (true)
        {
            // Exponential inter-arrival times on an absolute schedule: a late timer makes a small burst, not a lower rate.
            next += -Math.Log(1 - random.NextDouble()) / arrivalRatePerSecond;
            if (next >= duration.TotalSeconds) break;
            var delay = next - time.GetElapsedTime(started).TotalSeconds;
            if (delay > 0) await Task.Delay(TimeSpan.FromSeconds(delay), time, cancellationToken).ConfigureAwait(false);
            leases.Add(Task.Run(Lease, CancellationToken.None));
        }
        await Task.WhenAll(leases).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return measurements.Result(peak, time.GetElapsedTime(started));
    }
}
