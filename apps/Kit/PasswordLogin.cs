using System.Data.Common;
using Microsoft.AspNetCore.Identity;

namespace Lifeguard.Kit;

/// <summary>
/// The login check both apps make, against their <c>users</c> and <c>login_throttle</c> tables. Every failure (unknown
/// email, wrong password, locked account) does the same work: one look-up, one PBKDF2 verification with the same
/// parameters, one counter write; so its duration says nothing about the email. The password is verified (and rehashed)
/// with no pooled connection held: a burst of logins must not hold the pool for the length of their hashing.
/// </summary>
/// <typeparam name="TAccount">What a successful login yields.</typeparam>
public abstract class PasswordLogin<TAccount>(DbDataSource db, PasswordCheck passwords, TimeProvider time)
    where TAccount : class
{
    /// <summary>The check passwords are verified with; new passwords are hashed with it too (outside any connection).</summary>
    public PasswordCheck Passwords { get; } = passwords;

    /// <summary>The lockout rules now (options may change while the app runs).</summary>
    protected abstract LockoutRules Lockout { get; }

    /// <summary>A DELETE of the account's sessions that may use <c>@normalized</c> (see <see cref="LoginThrottle.RecordFailureAsync"/>).</summary>
    protected abstract string EndSessionsSql { get; }

    /// <summary>
    /// Checks the credentials of <paramref name="normalized"/> (an email as the app stores it); counts failures, locks the
    /// email at the threshold (ending its open sessions), resets on success. The account, or null for any failure.
    /// </summary>
    public async Task<TAccount?> CheckAsync(string normalized, string password, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(normalized);
        ArgumentNullException.ThrowIfNull(password);
        var emailHash = LoginThrottle.EmailHash(normalized);
        LoginRecord<TAccount> record;
        await using (var c = await db.OpenConnectionAsync(ct))
        {
            record = await FindAsync(c, normalized, emailHash, ct);
        }

        var verdict = Passwords.Verify(record.PasswordHash, password);
        var now = time.GetUtcNow().UtcDateTime;
        var locked = record.LockoutEnd is { } end && end > now;
        if (record.Account is not { } account || locked || verdict == PasswordVerificationResult.Failed)
        {
            await using var c = await db.OpenConnectionAsync(ct);
            if (await LoginThrottle.RecordFailureAsync(c, normalized, now, Lockout, EndSessionsSql, ct)) OnSessionsEnded();
            return null;
        }

        var newHash = verdict == PasswordVerificationResult.SuccessRehashNeeded ? Passwords.Hash(password) : null;
        if (record.Counted || newHash is not null)
        {
            await using var c = await db.OpenConnectionAsync(ct);
            if (record.Counted) await LoginThrottle.ResetAsync(c, normalized, ct);
            if (newHash is not null) await SaveHashAsync(c, account, newHash, ct);
        }

        return account;
    }

    /// <summary>
    /// The look-up: always one row, the same statement for a known and an unknown email (LEFT JOINs from a one-row
    /// select to <c>users</c> on the email and to <c>login_throttle</c> on <paramref name="emailHash"/>).
    /// </summary>
    protected abstract Task<LoginRecord<TAccount>> FindAsync(DbConnection connection, string normalized, byte[] emailHash, CancellationToken ct);

    /// <summary>Stores a rehashed password (the hasher's parameters grew since the account's was made).</summary>
    protected abstract Task SaveHashAsync(DbConnection connection, TAccount account, string passwordHash, CancellationToken ct);

    /// <summary>Called when a lockout ended the account's sessions (a node that caches sessions forgets them here).</summary>
    protected virtual void OnSessionsEnded()
    {
    }
}
