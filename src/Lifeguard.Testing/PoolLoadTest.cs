using System.Collections.Concurrent;
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

        var waits = new ConcurrentBag<double>();
        var holds = new ConcurrentBag<double>();
        var timeouts = 0;
        var errors = 0;
        Exception? firstError = null;
        var started = time.GetTimestamp();
        // The deadline runs on the given TimeProvider, so a test can drive it with FakeTimeProvider.
        using var timer = new CancellationTokenSource(duration, time);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);

        async Task Worker()
        {
            while (!deadline.IsCancellationRequested)
            {
                var asked = time.GetTimestamp();
                DbConnection connection;
                try
                {
                    connection = await dataSource.OpenConnectionAsync(deadline.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (deadline.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e) when (IsTimeout(e))
                {
                    Interlocked.Increment(ref timeouts);
                    continue;
                }
                catch (Exception e) when (e is DbException or InvalidOperationException)
                {
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref firstError, e, null);
                    continue;
                }

                var got = time.GetTimestamp();
                waits.Add(time.GetElapsedTime(asked, got).TotalSeconds);
                try
                {
                    // The caller's token, not the deadline: work in flight at the end completes and is measured.
                    await work(connection, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref firstError, e, null);
                }
                finally
                {
                    await connection.DisposeAsync().ConfigureAwait(false);
                    holds.Add(time.GetElapsedTime(got).TotalSeconds);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(Worker, CancellationToken.None))).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        var elapsed = time.GetElapsedTime(started);
        return new PoolLoadTestResult(workers, elapsed, holds.Count, timeouts, errors, LatencySummary.FromSeconds(waits), LatencySummary.FromSeconds(holds), firstError);
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
        var waits = new ConcurrentBag<double>();
        var holds = new ConcurrentBag<double>();
        var timeouts = 0;
        var errors = 0;
        var inFlight = 0;
        var peak = 0;
        Exception? firstError = null;
        var leases = new List<Task>();

        async Task Lease()
        {
            var now = Interlocked.Increment(ref inFlight);
            for (var seen = Volatile.Read(ref peak); now > seen && Interlocked.CompareExchange(ref peak, now, seen) != seen; seen = Volatile.Read(ref peak)) { }
            try
            {
                var asked = time.GetTimestamp();
                DbConnection connection;
                try
                {
                    connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (IsTimeout(e))
                {
                    Interlocked.Increment(ref timeouts);
                    return;
                }
                catch (Exception e) when (e is DbException or InvalidOperationException)
                {
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref firstError, e, null);
                    return;
                }
                var got = time.GetTimestamp();
                waits.Add(time.GetElapsedTime(asked, got).TotalSeconds);
                try
                {
                    await work(connection, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref firstError, e, null);
                }
                finally
                {
                    await connection.DisposeAsync().ConfigureAwait(false);
                    holds.Add(time.GetElapsedTime(got).TotalSeconds);
                }
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
        var elapsed = time.GetElapsedTime(started);
        return new PoolLoadTestResult(peak, elapsed, holds.Count, timeouts, errors, LatencySummary.FromSeconds(waits), LatencySummary.FromSeconds(holds), firstError);
    }

    private static bool IsTimeout(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is TimeoutException) return true;
        }
        return false;
    }
}
