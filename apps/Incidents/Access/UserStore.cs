using Dapper;
using Microsoft.AspNetCore.Identity;
using Npgsql;

namespace Incidents.Access;

/// <summary>People who log in to the UI: email, role, PBKDF2 password hash (ASP.NET Core's PasswordHasher).</summary>
public sealed class UserStore(NpgsqlDataSource db, TimeProvider time)
{
    internal const int MaxEmailLength = 254;
    internal const int MaxPasswordLength = 128;
    internal const int MinPasswordLength = 12;
    private static readonly PasswordHasher<string> Hasher = new();

    // verified against when the email is unknown, so an unknown and a known email take the same time
    private static readonly string DummyHash = Hasher.HashPassword("", Guid.NewGuid().ToString());

    /// <summary>The role of the user when the password is right, else null.</summary>
    public async Task<string?> CheckAsync(string email, string password, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var user = await conn.QuerySingleOrDefaultAsync<(string Role, string PasswordHash)?>(new CommandDefinition(
            "SELECT role, password_hash FROM users WHERE email = @email", new { email = Normalize(email) }, cancellationToken: ct));
        var hash = user?.PasswordHash ?? DummyHash;
        var ok = Hasher.VerifyHashedPassword(Normalize(email), hash, password) != PasswordVerificationResult.Failed;
        return ok && user is not null ? user.Value.Role : null;
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
        await conn.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO users (email, role, password_hash, created_at) VALUES (@e, @role, @hash, @now)
            ON CONFLICT (email) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash
            """, new { e, role, hash = Hasher.HashPassword(e, password), now = time.GetUtcNow().UtcDateTime }, cancellationToken: ct));
    }

    internal static string Normalize(string email) => email.Trim().ToLowerInvariant();
}
