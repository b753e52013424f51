using System.Collections.Concurrent;
using System.Data.Common;

namespace Lifeguard.Testing;

/// <summary>One lease (open, work, dispose) measured the same way by the closed- and open-loop load tests.</summary>
internal sealed class LeaseMeasurements(TimeProvider time)
{
    private readonly ConcurrentBag<double> _waits = new();
    private readonly ConcurrentBag<double> _holds = new();
    private int _timeouts;
    private int _errors;
    private Exception? _firstError;

    /// <summary>
    /// Opens a connection (cancelled by <paramref name="openToken"/>), runs the work (cancelled only by
    /// <paramref name="workToken"/>, so work in flight at a deadline completes and is measured) and records
    /// wait, hold, timeout or error. Returns false when the open was cancelled: the caller's time is up.
    /// </summary>
    public async Task<bool> LeaseAsync(DbDataSource dataSource, Func<DbConnection, CancellationToken, Task> work, CancellationToken openToken, CancellationToken workToken)
    {
        var asked = time.GetTimestamp();
        DbConnection connection;
        try
        {
            connection = await dataSource.OpenConnectionAsync(openToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (openToken.IsCancellationRequested)
        {
            // An open still waiting at the deadline is censored, not counted.
            return false;
        }
        catch (Exception e) when (IsTimeout(e))
        {
            Interlocked.Increment(ref _timeouts);
            return true;
        }
        catch (Exception e) when (e is DbException or InvalidOperationException)
        {
            Failed(e);
            return true;
        }

        var got = time.GetTimestamp();
        _waits.Add(time.GetElapsedTime(asked, got).TotalSeconds);
        try
        {
            await work(connection, workToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !workToken.IsCancellationRequested)
        {
            Failed(e);
        }
        finally
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            _holds.Add(time.GetElapsedTime(got).TotalSeconds);
        }

        return true;
    }

    public PoolLoadTestResult Result(int workers, TimeSpan elapsed) =>
        new(workers, elapsed, _holds.Count, _timeouts, _errors, LatencySummary.FromSeconds(_waits), LatencySummary.FromSeconds(_holds), _firstError);

    private void Failed(Exception e)
    {
        Interlocked.Increment(ref _errors);
        Interlocked.CompareExchange(ref _firstError, e, null);
    }

    // Npgsql reports pool exhaustion as an exception whose cause chain holds a TimeoutException.
    private static bool IsTimeout(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is TimeoutException) return true;
        }

        return false;
    }
}
