using System.Data.Common;
using Dapper;
using Lifeguard.Kit;
using Microsoft.AspNetCore.Identity;

namespace Incidents.Access;

/// <summary>People who log in to the UI: email, role, PBKDF2 password hash (ASP.NET Core's PasswordHasher, through the kit's <see cref="PasswordCheck"/>).</summary>
public sealed class UserStore(DbDataSource db, TimeProvider time, Microsoft.Extensions.Options.IOptions<IncidentsOptions> options)
{
    internal const int MaxEmailLength = LoginPageModel.MaxEmailLength;
    internal const int MaxPasswordLength = LoginPageModel.MaxPasswordLength;
    internal const int MinPasswordLength = 12;

    // the hasher ignores its user argument: one check for every user
    private static readonly PasswordCheck Passwords = PasswordCheck.For(new PasswordHasher<string>(), "");

    private readonly UserLogin _login = new(db, Passwords, time, options);

    /// <summary>
    /// The role of the user when the password is right and the account is not locked, else null: the kit's
    /// <see cref="PasswordLogin{TAccount}"/> (the same work for every failure, no connection held while hashing, failures
    /// lock the account per Incidents:Login, a lockout ends the account's sessions).
    /// </summary>
    public async Task<string?> CheckAsync(string email, string password, CancellationToken ct) =>
        (await _login.CheckAsync(Normalize(email), password, ct))?.Role;

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
        // hashed before a connection is taken: PBKDF2's tens of milliseconds must not hold a pooled connection
        var hash = Passwords.Hash(password);
        await using var conn = await db.OpenConnectionAsync(ct);
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
