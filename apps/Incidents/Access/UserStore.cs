using Dapper;
using Lifeguard.Kit;
using Microsoft.AspNetCore.Identity;
using Npgsql;

namespace Incidents.Access;

/// <summary>People who log in to the UI: email, role, PBKDF2 password hash (ASP.NET Core's PasswordHasher).</summary>
public sealed class UserStore(NpgsqlDataSource db, TimeProvider time, Microsoft.Extensions.Options.IOptions<IncidentsOptions> options)
{
    internal const int MaxEmailLength = 254;
    internal const int MaxPasswordLength = 128;
    internal const int MinPasswordLength = 12;
    private static readonly PasswordHasher<string> Hasher = new();

    // verified against when the email is unknown, so an unknown and a known email take the same time
    private static readonly string DummyHash = Hasher.HashPassword("", Guid.NewGuid().ToString());

    /// <summary>
    /// The role of the user when the password is right and the account is not locked, else null. Every failure (unknown
    /// email, wrong password, locked account) does the same work: one look-up, one PBKDF2 verification, one counter
    /// write; the hash is checked with no pooled connection held. Failures lock the account (Incidents:Login), and a
    /// lockout ends the account's sessions.
    /// </summary>
    public async Task<string?> CheckAsync(string email, string password, CancellationToken ct)
    {
        var normalized = Normalize(email);
        (string? Role, string? PasswordHash, DateTime? LockoutEnd) row;
        await using (var conn = await db.OpenConnectionAsync(ct))
        {
            row = await conn.QuerySingleAsync<(string?, string?, DateTime?)>(new CommandDefinition(
                """
                SELECT u.role, u.password_hash, t.lockout_end FROM (SELECT 1) AS one
                LEFT JOIN users u ON u.email = @normalized
                LEFT JOIN login_throttle t ON t.email_hash = @emailHash
                """, new { normalized, emailHash = LoginThrottle.EmailHash(normalized) }, cancellationToken: ct));
        }

        var ok = Hasher.VerifyHashedPassword(normalized, row.PasswordHash ?? DummyHash, password) != PasswordVerificationResult.Failed;
        var now = time.GetUtcNow().UtcDateTime;
        var locked = row.LockoutEnd is { } end && end > now;
        await using var c = await db.OpenConnectionAsync(ct);
        if (!ok || row.Role is null || locked)
        {
            var login = options.Value.Login;
            await LoginThrottle.RecordFailureAsync(c, normalized, now, new LockoutRules(login.LockoutThreshold, login.LockoutDuration),
                "DELETE FROM ui_sessions WHERE email = @normalized", ct);
            return null;
        }

        await LoginThrottle.ResetAsync(c, normalized, ct);
        return row.Role;
    }

    /// <summary>Writes a login, or a failed one, to the audit trail (never the password).</summary>
    public async Task AuditLoginAsync(string email, bool succeeded, string? remoteAddress, CancellationToken ct)
    {
        var who = Normalize(email);
        if (who.Length > MaxEmailLength) who = who[..MaxEmailLength];
        await using var conn = await db.OpenConnectionAsync(ct);
        await Incidents.Data.Audit.AddAsync(conn, null, time.GetUtcNow().UtcDateTime, who, "ui", succeeded ? "login" : "login_failed", null,
            "from " + (remoteAddress ?? "unknown"), ct);
    }

    /// <summary>Whether the user exists.</summary>
    public async Task<bool> ExistsAsync(string email, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT EXISTS (SELECT 1 FROM users WHERE email = @e)", new { e = Normalize(email) }, cancellationToken: ct));
    }

    /// <summary>Adds or updates a user (the <c>user</c> verb).</summary>
    public async Task SetAsync(string email, string role, string password, CancellationToken ct)
    {
        if (!Roles.IsKnown(role)) throw new ArgumentException($"role must be {Roles.Responder} or {Roles.Viewer}", nameof(role));
        ArgumentNullException.ThrowIfNull(password);
        if (password.Length is < MinPasswordLength or > MaxPasswordLength)
        {
            throw new ArgumentException($"the password must have {MinPasswordLength} to {MaxPasswordLength} characters", nameof(password));
        }

        var e = Normalize(email);
        if (e.Length is 0 or > MaxEmailLength || !e.Contains('@', StringComparison.Ordinal)) throw new ArgumentException("not an email address", nameof(email));
        await using var conn = await db.OpenConnectionAsync(ct);
        var hash = Hasher.HashPassword(e, password);
        // a new password or role ends every session the user has open: a copied cookie must not outlive either
        await conn.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO users (email, role, password_hash, created_at) VALUES (@e, @role, @hash, @now)
            ON CONFLICT (email) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash;
            DELETE FROM ui_sessions WHERE email = @e;
            """, new { e, role, hash, now = time.GetUtcNow().UtcDateTime }, cancellationToken: ct));
    }

    internal static string Normalize(string email) => email.Trim().ToLowerInvariant();
}
