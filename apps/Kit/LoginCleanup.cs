using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Lifeguard.Kit;

/// <summary>
/// Deletes an app's expired sessions and forgotten failed-login counters every <see cref="Interval"/>. Safe with many
/// nodes: short batches that skip rows another node is deleting, so no node waits on another. An expired row is already
/// refused on use; this only keeps the tables small, so a missed run costs nothing.
/// </summary>
public abstract partial class LoginCleanup(DbDataSource db, TimeProvider time, ILogger logger) : BackgroundService
{
    /// <summary>Rows deleted per statement: each batch is its own short transaction.</summary>
    public const int BatchSize = 1000;

    // At most this many batches per table and run, so a huge backlog is worked off over several runs.
    private const int MaxBatchesPerRun = 20;

    /// <summary>The app's sessions table (columns <c>id_hash</c>, <c>expires_at</c>).</summary>
    protected abstract string SessionsTable { get; }

    /// <summary>Time between runs.</summary>
    protected abstract TimeSpan Interval { get; }

    /// <summary>Failed logins of an email are forgotten after this long without another failure (and no lockout running).</summary>
    protected abstract TimeSpan FailedLoginRetention { get; }

    /// <summary>Runs one cleanup pass now; returns the sessions and failure counters deleted.</summary>
    public virtual async Task<(int Sessions, int FailureCounters)> RunOnceAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var forgetBefore = now - FailedLoginRetention;
        await using var c = await db.OpenConnectionAsync(ct);
        var sessions = await DeleteInBatchesAsync(c,
            $"""
            /* session.cleanup */ DELETE FROM {SessionsTable} WHERE id_hash IN (
                SELECT id_hash FROM {SessionsTable} WHERE expires_at <= @now LIMIT @batch FOR UPDATE SKIP LOCKED)
            """,
            new { now, batch = BatchSize }, ct);
        var counters = await DeleteInBatchesAsync(c,
            """
            /* session.cleanup.counters */ DELETE FROM login_throttle WHERE email_hash IN (
                SELECT email_hash FROM login_throttle
                WHERE updated_at <= @forgetBefore AND (lockout_end IS NULL OR lockout_end <= @now)
                LIMIT @batch FOR UPDATE SKIP LOCKED)
            """,
            new { now, forgetBefore, batch = BatchSize }, ct);
        return (sessions, counters);
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Interval, time, stoppingToken);
                var (sessions, counters) = await RunOnceAsync(stoppingToken);
                if (sessions + counters > 0) LogCleaned(logger, sessions, counters);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // Any failure (database down, pool exhausted) waits for the next run; it must not stop the app.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogFailed(logger, ex.GetType().Name, ex.Message);
            }
        }
    }

    private static async Task<int> DeleteInBatchesAsync(DbConnection c, string sql, object args, CancellationToken ct)
    {
        var total = 0;
        for (var i = 0; i < MaxBatchesPerRun; i++)
        {
            var n = await c.ExecuteAsync(new CommandDefinition(sql, args, cancellationToken: ct));
            total += n;
            if (n < BatchSize) break;
        }

        return total;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "cleanup: deleted {Sessions} expired session(s), {Counters} forgotten failed-login counter(s)")]
    private static partial void LogCleaned(ILogger logger, int sessions, int counters);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cleanup of sessions and failed-login counters failed, next try after the interval: {Kind}: {Reason}")]
    private static partial void LogFailed(ILogger logger, string kind, string reason);
}
