using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Website.Accounts;
using Website.Tests.Infrastructure;

namespace Website.Tests.Integration;

/// <summary>Sessions end on the server: a cookie is only as good as its row in the sessions table.</summary>
public sealed class SessionTests(SessionFixture site) : IClassFixture<SessionFixture>
{
    private const string AuthCookie = "lifeguard.auth";

    [Fact]
    public async Task Logout_CookieCapturedBeforeLogout_IsRefusedAfterwards()
    {
        using var client = await site.LoggedInAsync(site.Data.A.Email);
        var captured = AuthCookieOf(client);
        using (var replay = WithCookie(captured))
        {
            (await replay.Http.GetAsync("/dashboard")).StatusCode.ShouldBe(HttpStatusCode.OK, "a copy works while the session lives");
        }

        using (var logout = await client.PostFormAsync("/account/logout", [], withToken: true, tokenFrom: "/dashboard"))
        {
            logout.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        }

        using var again = WithCookie(captured);
        using var r = await again.Http.GetAsync("/dashboard");
        r.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        r.Headers.Location!.AbsolutePath.ShouldBe("/account/login");
        (await SessionRowsAsync(SessionIdOf(captured))).ShouldBe(0);
    }

    [Fact]
    public async Task Logout_OnAnotherNode_IsRefusedHereWithinTheCacheDuration()
    {
        // Two nodes of the site on one database (same data-protection keys, so a cookie of one opens the other).
        await using var other = await RunningSite.StartAsync(site.Db.ConnectionString, site.Settings, site.Clock);
        using var here = await site.LoggedInAsync(site.Data.A.Email);
        var cookie = AuthCookieOf(here);
        using var there = other.NewClient();
        there.Cookies.Add(other.BaseAddress, new Cookie(cookie.Name, cookie.Value, "/"));
        (await there.Http.GetAsync("/dashboard")).StatusCode.ShouldBe(HttpStatusCode.OK);

        using (var logout = await here.PostFormAsync("/account/logout", [], withToken: true, tokenFrom: "/dashboard"))
        {
            logout.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        }

        // The documented bound: the other node may serve what it remembers for SessionCacheDuration, never longer.
        site.Clock.Advance(new WebsiteOptions().SessionCacheDuration + TimeSpan.FromSeconds(1));
        using var r = await there.Http.GetAsync("/dashboard");
        r.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        r.Headers.Location!.AbsolutePath.ShouldBe("/account/login");
    }

    [Fact]
    public async Task Login_Cookie_CarriesOnlyARandomSessionIdStoredAsItsHash()
    {
        using var one = await site.LoggedInAsync(site.Data.A.Email);
        using var two = await site.LoggedInAsync(site.Data.A.Email);
        var ticket = Unprotect(AuthCookieOf(one));
        ticket.Principal.Claims.Select(c => c.Type).ShouldBe(["Microsoft.AspNetCore.Authentication.Cookies-SessionId"], "no email, user or workspace in the cookie");
        var id = SessionIdOf(AuthCookieOf(one));
        Base64Url.DecodeFromChars(id).Length.ShouldBe(32, "256 random bits");
        id.ShouldNotBe(SessionIdOf(AuthCookieOf(two)));

        await using var c = await site.Db.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FILTER (WHERE id_hash = $1), count(*) FILTER (WHERE id_hash = $2) FROM sessions", c)
        { Parameters = { new() { Value = SHA256.HashData(Base64Url.DecodeFromChars(id)) }, new() { Value = Base64Url.DecodeFromChars(id) } } };
        await using var reader = await cmd.ExecuteReaderAsync();
        (await reader.ReadAsync()).ShouldBeTrue();
        reader.GetInt64(0).ShouldBe(1, "the row is found by the id's SHA-256");
        reader.GetInt64(1).ShouldBe(0, "the id itself is not stored");
    }

    [Fact]
    public async Task Lockout_OpenSessionOfTheAccount_IsRefused()
    {
        var email = await InsertUserAsync();
        using var victim = await site.LoggedInAsync(email);
        (await victim.Http.GetAsync("/dashboard")).StatusCode.ShouldBe(HttpStatusCode.OK);

        using var attacker = site.NewClient();
        for (var i = 0; i < 5; i++)
        {
            using var bad = await attacker.LoginAsync(email, "Not-The-Password-" + i);
            bad.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }

        using var r = await victim.Http.GetAsync("/dashboard");
        r.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        r.Headers.Location!.AbsolutePath.ShouldBe("/account/login");
        (await SessionRowsAsync(SessionIdOf(AuthCookieOf(victim)))).ShouldBe(0, "the lockout deleted the account's sessions");

        // The lockout ending does not bring the old session back; a new login works.
        site.Clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        (await victim.Http.GetAsync("/dashboard")).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        using var fresh = await site.LoggedInAsync(email);
        (await fresh.Http.GetAsync("/dashboard")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Session_AccountLockedWhileTheRowSurvives_IsRefused()
    {
        // A login racing a lockout on another node could leave a row behind: the lookup checks the lockout itself.
        var email = await InsertUserAsync();
        using var client = await site.LoggedInAsync(email);
        (await client.Http.GetAsync("/dashboard")).StatusCode.ShouldBe(HttpStatusCode.OK); // now remembered by this node
        await using (var c = await site.Db.OpenAsync())
        await using (var cmd = new NpgsqlCommand(
            "INSERT INTO login_throttle (email_hash, failed_count, lockout_end, updated_at) VALUES (sha256(convert_to($1, 'UTF8')), 0, $2, $3)", c)
        { Parameters = { new() { Value = email }, new() { Value = site.Clock.GetUtcNow().UtcDateTime.AddMinutes(5) }, new() { Value = site.Clock.GetUtcNow().UtcDateTime } } })
        {
            await cmd.ExecuteNonQueryAsync();
        }

        (await SessionRowsAsync(SessionIdOf(AuthCookieOf(client)))).ShouldBe(1);

        // The lockout happened elsewhere: this node may serve the session from memory for SessionCacheDuration, no longer.
        site.Clock.Advance(new WebsiteOptions().SessionCacheDuration + TimeSpan.FromSeconds(1));
        using var r = await client.Http.GetAsync("/dashboard");
        r.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        r.Headers.Location!.AbsolutePath.ShouldBe("/account/login");
    }

    [Fact]
    public async Task Session_IdleLongerThanTheIdleTimeout_IsRefused()
    {
        using var client = await site.LoggedInAsync(site.Data.A.Email);
        site.Clock.Advance(SessionFixture.Idle - TimeSpan.FromMinutes(1));
        using var copy = WithCookie(AuthCookieOf(client)); // the same cookie, so the first client's refresh does not help it
        site.Clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        using var r = await copy.Http.GetAsync("/dashboard");
        r.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        r.Headers.Location!.AbsolutePath.ShouldBe("/account/login");
    }

    [Fact]
    public async Task Session_UsedWithinTheIdleTimeout_SlidesUntilTheAbsoluteEnd()
    {
        using var client = await site.LoggedInAsync(site.Data.A.Email);
        var step = TimeSpan.FromMinutes(40); // past half the idle timeout: every request renews
        var elapsed = TimeSpan.Zero;
        while (elapsed + step < SessionFixture.Absolute)
        {
            site.Clock.Advance(step);
            elapsed += step;
            (await client.Http.GetAsync("/dashboard")).StatusCode.ShouldBe(HttpStatusCode.OK, $"active session at {elapsed}, beyond the idle timeout of {SessionFixture.Idle}");
        }

        site.Clock.Advance(SessionFixture.Absolute - elapsed + TimeSpan.FromSeconds(1));
        using var r = await client.Http.GetAsync("/dashboard");
        r.StatusCode.ShouldBe(HttpStatusCode.Redirect, "however active, a session ends at its absolute lifetime");
        r.Headers.Location!.AbsolutePath.ShouldBe("/account/login");
    }

    [Fact]
    public async Task Cleanup_AfterItsInterval_DeletesExpiredRowsAndKeepsLiveOnes()
    {
        using var stale = await site.LoggedInAsync(site.Data.A.Email);
        site.Clock.Advance(SessionFixture.Idle - TimeSpan.FromMinutes(10));
        using var live = await site.LoggedInAsync(site.Data.B.Email);
        var staleId = SessionIdOf(AuthCookieOf(stale));
        var liveId = SessionIdOf(AuthCookieOf(live));
        var oldCounter = RandomNumberGenerator.GetBytes(32);
        var recentCounter = RandomNumberGenerator.GetBytes(32);
        var now = site.Clock.GetUtcNow().UtcDateTime;
        await using (var c = await site.Db.OpenAsync())
        await using (var cmd = new NpgsqlCommand(
            "INSERT INTO login_throttle (email_hash, failed_count, lockout_end, updated_at) VALUES ($1, 3, NULL, $3), ($2, 3, NULL, $4)", c)
        { Parameters = { new() { Value = oldCounter }, new() { Value = recentCounter }, new() { Value = now.AddDays(-2) }, new() { Value = now } } })
        {
            await cmd.ExecuteNonQueryAsync();
        }

        // 20 minutes later the first session is 70 minutes idle; the cleanup's timer is due (5 min) more than once.
        site.Clock.Advance(TimeSpan.FromMinutes(20));
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while ((await SessionRowsAsync(staleId) > 0 || await CounterRowsAsync(oldCounter) > 0) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        (await SessionRowsAsync(staleId)).ShouldBe(0, "the expired session is deleted by the periodic cleanup");
        (await SessionRowsAsync(liveId)).ShouldBe(1);
        (await CounterRowsAsync(oldCounter)).ShouldBe(0, "a counter idle past FailedLoginRetention (1 day) is forgotten");
        (await CounterRowsAsync(recentCounter)).ShouldBe(1);
        (await live.Http.GetAsync("/dashboard")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Cleanup_RunOnce_DeletesEveryExpiredSessionInBatches()
    {
        var userId = await UserIdAsync(site.Data.A.Email);
        var now = site.Clock.GetUtcNow().UtcDateTime;
        var count = SessionCleanupService.BatchSize + 10;
        await using (var c = await site.Db.OpenAsync())
        await using (var cmd = new NpgsqlCommand(
            """
            INSERT INTO sessions (id_hash, user_id, created_at, issued_at, expires_at, absolute_expires_at)
            SELECT sha256(convert_to('bulk' || g, 'UTF8')), $1, $2, $2, $2, $2 FROM generate_series(1, $3) g
            """, c)
        { Parameters = { new() { Value = userId }, new() { Value = now.AddMinutes(-1) }, new() { Value = count } } })
        {
            await cmd.ExecuteNonQueryAsync();
        }

        var cleanup = site.Site.Services.GetRequiredService<SessionCleanupService>();
        var (sessions, _) = await cleanup.RunOnceAsync(CancellationToken.None);
        sessions.ShouldBeGreaterThanOrEqualTo(count);
        await using var c2 = await site.Db.OpenAsync();
        await using var left = new NpgsqlCommand("SELECT count(*) FROM sessions WHERE expires_at <= $1", c2) { Parameters = { new() { Value = now } } };
        ((long)(await left.ExecuteScalarAsync())!).ShouldBe(0);
    }

    private Cookie AuthCookieOf(SiteClient client) => client.Cookies.GetCookies(site.Site.BaseAddress)[AuthCookie] ?? throw new InvalidOperationException("no auth cookie");

    private SiteClient WithCookie(Cookie cookie)
    {
        var client = site.NewClient();
        client.Cookies.Add(site.Site.BaseAddress, new Cookie(cookie.Name, cookie.Value, "/"));
        return client;
    }

    private Microsoft.AspNetCore.Authentication.AuthenticationTicket Unprotect(Cookie cookie) =>
        site.Site.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>()
            .Get(CookieAuthenticationDefaults.AuthenticationScheme).TicketDataFormat.Unprotect(cookie.Value)
        ?? throw new InvalidOperationException("cookie does not unprotect");

    private string SessionIdOf(Cookie cookie) =>
        Unprotect(cookie).Principal.FindFirst("Microsoft.AspNetCore.Authentication.Cookies-SessionId")!.Value;

    private async Task<long> SessionRowsAsync(string sessionId)
    {
        await using var c = await site.Db.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM sessions WHERE id_hash = $1", c)
        { Parameters = { new() { Value = SHA256.HashData(Base64Url.DecodeFromChars(sessionId)) } } };
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    private async Task<long> CounterRowsAsync(byte[] emailHash)
    {
        await using var c = await site.Db.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM login_throttle WHERE email_hash = $1", c) { Parameters = { new() { Value = emailHash } } };
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    private async Task<long> UserIdAsync(string email)
    {
        await using var c = await site.Db.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT id FROM users WHERE email = $1", c) { Parameters = { new() { Value = email } } };
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    // A user of workspace A with the known password, without the cost of registering through the form.
    private async Task<string> InsertUserAsync()
    {
        var email = $"s{Guid.NewGuid():N}"[..14] + "@sessions.test";
        var hash = new PasswordHasher<AccountUser>().HashPassword(new AccountUser(), KnownDataSet.Password);
        await using var c = await site.Db.OpenAsync();
        await using var cmd = new NpgsqlCommand("INSERT INTO users (email, password_hash, workspace_id) VALUES ($1, $2, $3)", c)
        { Parameters = { new() { Value = email }, new() { Value = hash }, new() { Value = site.Data.A.Id } } };
        await cmd.ExecuteNonQueryAsync();
        return email;
    }
}
