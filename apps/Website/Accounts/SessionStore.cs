using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using System.Security.Claims;
using Dapper;
using Lifeguard.Kit;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace Website.Accounts;

/// <summary>
/// Server-side sessions for the auth cookie: the cookie carries only a random 256-bit session id, looked up in the
/// <c>sessions</c> table by its SHA-256. Logout, expiry and lockout delete or outdate the row. A node remembers a
/// looked-up session for <see cref="WebsiteOptions.SessionCacheDuration"/> (5 s), so a busy pool is not taken twice
/// per request; a logout or lockout on this node forgets at once, other nodes follow within that duration.
/// </summary>
public sealed class SessionStore(DbDataSource dataSource, TimeProvider time, IOptions<WebsiteOptions> options) : ITicketStore
{
    // Bounded: when this many are remembered (after pruning), further sessions are looked up every time.
    private const int MaxCached = 10_000;

    private readonly ConcurrentDictionary<string, CachedSession> _cache = new(StringComparer.Ordinal);

    // Bumped by a lockout on this node: every remembered session older than it is looked up again.
    private long _generation;

    private long _lastPruneTicks;

    /// <summary>Forgets every remembered session (a lockout on this node; the database already refuses them).</summary>
    public void ForgetAll() => Interlocked.Increment(ref _generation);

    /// <summary>Drops remembered sessions whose time is up (the periodic cleanup calls it); returns how many are left.</summary>
    public int PruneCache()
    {
        var now = time.GetUtcNow().UtcDateTime;
        foreach (var (key, entry) in _cache)
        {
            if (entry.CachedUntil <= now || (entry.Row is not null && entry.Generation != Volatile.Read(ref _generation)))
            {
                _cache.TryRemove(key, out _);
            }
        }

        return _cache.Count;
    }

    /// <inheritdoc />
    public Task<string> StoreAsync(AuthenticationTicket ticket) => StoreAsync(ticket, CancellationToken.None);

    /// <summary>Creates the session row for a fresh login and returns the id the cookie will carry.</summary>
    public async Task<string> StoreAsync(AuthenticationTicket ticket, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        if (!long.TryParse(ticket.Principal.FindFirstValue(ClaimTypes.NameIdentifier), NumberStyles.None, CultureInfo.InvariantCulture, out var userId))
        {
            throw new InvalidOperationException("a session needs the user id claim");
        }

        var (key, idHash) = SessionIds.New();
        var now = time.GetUtcNow();
        var absolute = now + options.Value.SessionAbsoluteLifetime;
        var issued = ticket.Properties.IssuedUtc ?? now;
        var expires = Min(ticket.Properties.ExpiresUtc ?? now + options.Value.SessionIdleTimeout, absolute);
        await using var c = await dataSource.OpenConnectionAsync(cancellationToken);
        await c.ExecuteAsync(new CommandDefinition(
            """
            /* session.create */ INSERT INTO sessions (id_hash, user_id, created_at, issued_at, expires_at, absolute_expires_at)
            VALUES (@idHash, @userId, @now, @issued, @expires, @absolute)
            """,
            new { idHash, userId, now = now.UtcDateTime, issued = issued.UtcDateTime, expires = expires.UtcDateTime, absolute = absolute.UtcDateTime },
            cancellationToken: cancellationToken));
        return key;
    }

    /// <inheritdoc />
    public Task<AuthenticationTicket?> RetrieveAsync(string key) => RetrieveAsync(key, CancellationToken.None);

    /// <summary>
    /// The session's ticket, rebuilt from the database (claims from the users row), or null when the id is unknown,
    /// ended, expired, or its account is locked. Database errors propagate: an outage answers 503, it does not log people out.
    /// </summary>
    public async Task<AuthenticationTicket?> RetrieveAsync(string key, CancellationToken cancellationToken)
    {
        if (HashOf(key) is not { } idHash)
        {
            return null;
        }

        var now = time.GetUtcNow().UtcDateTime;
        var generation = Volatile.Read(ref _generation);
        if (_cache.TryGetValue(key, out var hit) && hit.CachedUntil > now)
        {
            if (hit.Row is null)
            {
                return null; // logged out on this node
            }

            if (hit.Generation == generation && hit.Row.ExpiresAt > now)
            {
                return Ticket(hit.Row);
            }
        }

        SessionRow? row;
        await using (var c = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            row = await c.QuerySingleOrDefaultAsync<SessionRow>(new CommandDefinition(
                """
                /* session.read */ SELECT u.id AS userid, u.email, u.workspace_id AS workspaceid, s.issued_at AS issuedat, s.expires_at AS expiresat
                FROM sessions s
                JOIN users u ON u.id = s.user_id
                LEFT JOIN login_throttle t ON t.email_hash = sha256(convert_to(u.email, 'UTF8'))
                WHERE s.id_hash = @idHash AND s.expires_at > @now AND (t.lockout_end IS NULL OR t.lockout_end <= @now)
                """,
                new { idHash, now }, cancellationToken: cancellationToken));
        }

        if (row is null)
        {
            return null;
        }

        var cacheFor = options.Value.SessionCacheDuration;
        if (cacheFor > TimeSpan.Zero && (_cache.Count < MaxCached || PruneWhenFull(now) < MaxCached))
        {
            // A lookup that raced a logout must not bring the session back: the logout's marker wins.
            var entry = new CachedSession(row, now + cacheFor, generation);
            _cache.AddOrUpdate(key, entry, (_, existing) => existing.Row is null && existing.CachedUntil > now ? existing : entry);
        }

        return Ticket(row);
    }

    /// <inheritdoc />
    public Task RenewAsync(string key, AuthenticationTicket ticket) => RenewAsync(key, ticket, CancellationToken.None);

    /// <summary>Slides the session's end (never past its absolute end); an ended session is not brought back.</summary>
    public async Task RenewAsync(string key, AuthenticationTicket ticket, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        if (HashOf(key) is not { } idHash)
        {
            return;
        }

        var now = time.GetUtcNow();
        var issued = ticket.Properties.IssuedUtc ?? now;
        var expires = ticket.Properties.ExpiresUtc ?? now + options.Value.SessionIdleTimeout;
        _cache.TryRemove(key, out _);
        await using var c = await dataSource.OpenConnectionAsync(cancellationToken);
        await c.ExecuteAsync(new CommandDefinition(
            """
            /* session.renew */ UPDATE sessions SET issued_at = @issued, expires_at = least(@expires, absolute_expires_at)
            WHERE id_hash = @idHash AND expires_at > @now
            """,
            new { idHash, issued = issued.UtcDateTime, expires = expires.UtcDateTime, now = now.UtcDateTime }, cancellationToken: cancellationToken));
    }

    /// <inheritdoc />
    public Task RemoveAsync(string key) => RemoveAsync(key, CancellationToken.None);

    /// <summary>Ends the session (logout, or an expired ticket the cookie handler found).</summary>
    public async Task RemoveAsync(string key, CancellationToken cancellationToken)
    {
        if (HashOf(key) is not { } idHash)
        {
            return;
        }

        // Marked ended on this node first, so no request here is served from memory or re-caches it meanwhile.
        var cacheFor = options.Value.SessionCacheDuration;
        if (cacheFor > TimeSpan.Zero)
        {
            _cache[key] = new CachedSession(null, time.GetUtcNow().UtcDateTime + cacheFor, Volatile.Read(ref _generation));
        }

        await using var c = await dataSource.OpenConnectionAsync(cancellationToken);
        await c.ExecuteAsync(new CommandDefinition("/* session.delete */ DELETE FROM sessions WHERE id_hash = @idHash", new { idHash }, cancellationToken: cancellationToken));
    }

    // Only ids this store could have made reach the database; anything else is no session.
    private static byte[]? HashOf(string? key) => SessionIds.HashOf(key);

    // At most one pass a second over a full cache, so a flood of sessions cannot make every lookup a full scan.
    private int PruneWhenFull(DateTime now)
    {
        var last = Interlocked.Read(ref _lastPruneTicks);
        if (now.Ticks - last < TimeSpan.TicksPerSecond || Interlocked.CompareExchange(ref _lastPruneTicks, now.Ticks, last) != last)
        {
            return _cache.Count;
        }

        return PruneCache();
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static AuthenticationTicket Ticket(SessionRow row)
    {
        const string scheme = CookieAuthenticationDefaults.AuthenticationScheme;
        var properties = new AuthenticationProperties
        {
            IssuedUtc = new DateTimeOffset(DateTime.SpecifyKind(row.IssuedAt, DateTimeKind.Utc)),
            ExpiresUtc = new DateTimeOffset(DateTime.SpecifyKind(row.ExpiresAt, DateTimeKind.Utc)),
        };
        return new AuthenticationTicket(WorkspaceClaims.Create(row.UserId, row.Email, row.WorkspaceId, scheme), properties, scheme);
    }

    private sealed record SessionRow(long UserId, string Email, long WorkspaceId, DateTime IssuedAt, DateTime ExpiresAt);

    // Row null: ended by a logout on this node (kept as long as another lookup could still be cached).
    private sealed record CachedSession(SessionRow? Row, DateTime CachedUntil, long Generation);
}
