using System.Data.Common;
using System.Security.Claims;
using Dapper;
using Lifeguard.Kit;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace Incidents.Access;

/// <summary>
/// Server-side sessions of the UI's cookie: the cookie carries only a session id (<see cref="SessionIds"/>); every
/// request looks it up and reads the user's role from <c>users</c> now, so logout, a password or role change (which end
/// the user's sessions) and a lockout take effect on the next request. Idle timeout and absolute lifetime from
/// Incidents:Login. No cache: the UI's traffic is a few people.
/// </summary>
public sealed class UiSessionStore(DbDataSource db, TimeProvider time, IOptions<IncidentsOptions> options) : ITicketStore
{
    /// <inheritdoc />
    public async Task<string> StoreAsync(AuthenticationTicket ticket)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        var email = ticket.Principal.FindFirstValue(ClaimTypes.Name) ?? throw new InvalidOperationException("a session needs the user's email");
        var (key, idHash) = SessionIds.New();
        var login = options.Value.Login;
        var now = time.GetUtcNow().UtcDateTime;
        var absolute = now + login.SessionAbsoluteLifetime;
        var expires = Min(now + login.SessionIdleTimeout, absolute);
        await using var c = await db.OpenConnectionAsync();
        await c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO ui_sessions (id_hash, email, created_at, expires_at, absolute_expires_at) VALUES (@idHash, @email, @now, @expires, @absolute)
            """, new { idHash, email, now, expires, absolute }));
        return key;
    }

    /// <inheritdoc />
    public async Task<AuthenticationTicket?> RetrieveAsync(string key)
    {
        if (SessionIds.HashOf(key) is not { } idHash) return null;
        var now = time.GetUtcNow().UtcDateTime;
        await using var c = await db.OpenConnectionAsync();
        var row = await c.QuerySingleOrDefaultAsync<(string Email, string Role, DateTime ExpiresAt)?>(new CommandDefinition(
            """
            SELECT u.email, u.role, s.expires_at FROM ui_sessions s JOIN users u ON u.email = s.email
            LEFT JOIN login_throttle t ON t.email_hash = sha256(convert_to(u.email, 'UTF8'))
            WHERE s.id_hash = @idHash AND s.expires_at > @now AND (t.lockout_end IS NULL OR t.lockout_end <= @now)
            """, new { idHash, now }));
        if (row is not { } r) return null;
        const string scheme = CookieAuthenticationDefaults.AuthenticationScheme;
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, r.Email), new Claim(ClaimTypes.Role, r.Role)], scheme);
        var properties = new AuthenticationProperties { ExpiresUtc = new DateTimeOffset(DateTime.SpecifyKind(r.ExpiresAt, DateTimeKind.Utc)) };
        return new AuthenticationTicket(new ClaimsPrincipal(identity), properties, scheme);
    }

    /// <inheritdoc />
    public async Task RenewAsync(string key, AuthenticationTicket ticket)
    {
        if (SessionIds.HashOf(key) is not { } idHash) return;
        var now = time.GetUtcNow().UtcDateTime;
        await using var c = await db.OpenConnectionAsync();
        await c.ExecuteAsync(new CommandDefinition(
            "UPDATE ui_sessions SET expires_at = least(@expires, absolute_expires_at) WHERE id_hash = @idHash AND expires_at > @now",
            new { idHash, expires = now + options.Value.Login.SessionIdleTimeout, now }));
    }

    /// <inheritdoc />
    public async Task RemoveAsync(string key)
    {
        if (SessionIds.HashOf(key) is not { } idHash) return;
        await using var c = await db.OpenConnectionAsync();
        await c.ExecuteAsync(new CommandDefinition("DELETE FROM ui_sessions WHERE id_hash = @idHash", new { idHash }));
    }

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;
}
