using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Dapper;

namespace Lifeguard.Kit;

/// <summary>Per-account lockout: after <see cref="Threshold"/> failures in a row the email is locked for <see cref="Duration"/>.</summary>
/// <param name="Threshold">Failures that lock (1 locks at the first).</param>
/// <param name="Duration">How long a lockout lasts.</param>
public sealed record LockoutRules(int Threshold, TimeSpan Duration);

/// <summary>
/// The failed-login bookkeeping both apps keep, in a table of the same shape in each database (<c>login_throttle</c>:
/// email_hash, failed_count, lockout_end, updated_at), keyed by the SHA-256 of the normalised email whether or not it is
/// registered, so a failure for an unknown email writes the same row as one for a real account.
/// </summary>
public static class LoginThrottle
{
    /// <summary>The key of an email's row (the email normalised by the caller).</summary>
    public static byte[] EmailHash(string normalized) => SHA256.HashData(Encoding.UTF8.GetBytes(normalized));

    /// <summary>
    /// Counts one failure in one atomic statement (concurrent failures cannot under-count). Reaching the threshold locks
    /// the email and, in the same statement, runs <paramref name="endSessions"/> — a DELETE of the account's sessions that
    /// may use <c>@normalized</c> — so a lockout also ends what a stolen password already opened. While locked, failures
    /// neither count nor extend the lockout. True when sessions were ended.
    /// </summary>
    public static async Task<bool> RecordFailureAsync(DbConnection connection, string normalized, DateTime now, LockoutRules rules, string endSessions, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(rules);
        var ended = await connection.ExecuteScalarAsync<int?>(new CommandDefinition(
            $"""
            /* account.login.failure */ WITH counted AS (
                INSERT INTO login_throttle AS t (email_hash, failed_count, lockout_end, updated_at)
                VALUES (@emailHash, CASE WHEN @threshold <= 1 THEN 0 ELSE 1 END, CASE WHEN @threshold <= 1 THEN @lockUntil END, @now)
                ON CONFLICT (email_hash) DO UPDATE SET
                    failed_count = CASE WHEN t.lockout_end > @now THEN t.failed_count
                                        WHEN t.failed_count + 1 >= @threshold THEN 0 ELSE t.failed_count + 1 END,
                    lockout_end = CASE WHEN t.lockout_end > @now THEN t.lockout_end
                                       WHEN t.failed_count + 1 >= @threshold THEN @lockUntil ELSE t.lockout_end END,
                    updated_at = @now
                RETURNING t.lockout_end
            )
            {endSessions}
              AND (SELECT lockout_end FROM counted) > @now
            RETURNING 1
            """,
            new { emailHash = EmailHash(normalized), normalized, now, threshold = rules.Threshold, lockUntil = now + rules.Duration }, cancellationToken: ct));
        return ended is not null;
    }

    /// <summary>Forgets the email's failures after a successful login.</summary>
    public static Task ResetAsync(DbConnection connection, string normalized, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition(
            "/* account.login.reset */ DELETE FROM login_throttle WHERE email_hash = @emailHash", new { emailHash = EmailHash(normalized) }, cancellationToken: ct));
}
