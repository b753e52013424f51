using System.Net;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Website.Tests.Infrastructure;

namespace Website.Tests.Integration;

public sealed class AccountTests(SiteFixture site) : IClassFixture<SiteFixture>
{
    private static string NewEmail() => $"u{Guid.NewGuid():N}"[..14] + "@example.test";

    [Fact]
    public async Task Register_NewEmail_CreatesUserWithOwnWorkspaceAndRedirectsToLogin()
    {
        using var client = site.NewClient();
        var email = NewEmail();
        using var r = await client.RegisterAsync(email, "Fresh-Password-42");
        r.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        r.Headers.Location!.OriginalString.ShouldStartWith("/account/login");

        await using var c = await site.Db.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT u.workspace_id, u.password_hash, (SELECT count(*) FROM orders o WHERE o.workspace_id = u.workspace_id) FROM users u WHERE email = $1", c)
        { Parameters = { new() { Value = email } } };
        await using var reader = await cmd.ExecuteReaderAsync();
        (await reader.ReadAsync()).ShouldBeTrue();
        reader.GetInt64(0).ShouldNotBe(site.Data.A.Id);
        reader.GetString(1).ShouldNotContain("Fresh-Password-42");
        reader.GetInt64(2).ShouldBe(400);
    }

    [Fact]
    public async Task Register_ExistingEmail_AnswersExactlyLikeANewOneAndCreatesNothing()
    {
        using var client = site.NewClient();
        using var fresh = await client.RegisterAsync(NewEmail(), "Fresh-Password-42");
        using var taken = await client.RegisterAsync(site.Data.A.Email, "Other-Password-77");
        taken.StatusCode.ShouldBe(fresh.StatusCode);
        taken.Headers.Location.ShouldBe(fresh.Headers.Location);

        // The original password still works: the account was not overwritten.
        using var login = await site.NewClient().LoginAsync(site.Data.A.Email, KnownDataSet.Password);
        login.StatusCode.ShouldBe(HttpStatusCode.Redirect);
    }

    [Theory]
    [InlineData("short1A!")]
    [InlineData("onlylowercaseletters")]
    public async Task Register_WeakPassword_Returns400WithTheRule(string password)
    {
        using var client = site.NewClient();
        var email = NewEmail();
        using var r = await client.RegisterAsync(email, password);
        r.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await r.Content.ReadAsStringAsync()).ShouldContain("id=\"errors\"");
        await using var c = await site.Db.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM users WHERE email = $1", c) { Parameters = { new() { Value = email } } };
        ((long)(await cmd.ExecuteScalarAsync())!).ShouldBe(0);
    }

    [Fact]
    public async Task Login_CorrectPassword_RedirectsToDashboardWithHardenedCookie()
    {
        using var client = site.NewClient();
        using var r = await client.LoginAsync(site.Data.A.Email, KnownDataSet.Password);
        r.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        r.Headers.Location!.OriginalString.ShouldBe("/dashboard");
        var cookie = r.Headers.GetValues("Set-Cookie").Single(v => v.StartsWith("lifeguard.auth=", StringComparison.Ordinal)).ToLowerInvariant();
        cookie.ShouldContain("httponly");
        cookie.ShouldContain("samesite=lax");

        using var dash = await client.Http.GetAsync("/dashboard");
        dash.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public void AuthCookie_Options_AreSecureUnderHttpsHttpOnlyAndLax()
    {
        // Plain-HTTP tests cannot see the Secure flag; the policy that sets it under HTTPS is checked here.
        var o = site.Site.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(CookieAuthenticationDefaults.AuthenticationScheme);
        o.Cookie.SecurePolicy.ShouldBe(CookieSecurePolicy.SameAsRequest);
        o.Cookie.HttpOnly.ShouldBeTrue();
        o.Cookie.SameSite.ShouldBe(SameSiteMode.Lax);
    }

    [Fact]
    public async Task Login_WrongPasswordAndUnknownEmail_LookTheSame()
    {
        using var client = site.NewClient();
        using var wrong = await client.LoginAsync(site.Data.B.Email, "Wrong-Password-1");
        using var unknown = await client.LoginAsync("nobody-" + NewEmail(), "Wrong-Password-1");
        wrong.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        unknown.StatusCode.ShouldBe(wrong.StatusCode);
        var a = await wrong.Content.ReadAsStringAsync();
        var b = await unknown.Content.ReadAsStringAsync();
        a.ShouldContain("Invalid email or password.");
        b.ShouldContain("Invalid email or password.");
        a.ShouldNotContain("Wrong-Password-1");
    }

    [Theory]
    [InlineData("/dashboard?from=login", "/dashboard?from=login")]
    [InlineData("https://evil.example/phish", "/dashboard")]
    [InlineData("//evil.example/phish", "/dashboard")]
    [InlineData("/\\evil.example/phish", "/dashboard")]
    public async Task Login_ReturnUrl_OnlyLocalTargetsAreFollowed(string returnUrl, string expected)
    {
        using var client = site.NewClient();
        using var r = await client.LoginAsync(site.Data.A.Email, KnownDataSet.Password, returnUrl);
        r.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        r.Headers.Location!.OriginalString.ShouldBe(expected);
    }

    [Fact]
    public async Task Login_FiveWrongPasswords_LocksTheAccountUntilTheLockoutEnds()
    {
        using var client = site.NewClient();
        var email = NewEmail();
        (await client.RegisterAsync(email, "Lockout-Password-5")).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        for (var i = 0; i < 5; i++)
        {
            using var bad = await client.LoginAsync(email, "Not-The-Password-" + i);
            bad.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }

        using (var locked = await client.LoginAsync(email, "Lockout-Password-5"))
        {
            locked.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "the right password must not open a locked account");
            (await locked.Content.ReadAsStringAsync()).ShouldContain("Invalid email or password.");
        }

        await using (var c = await site.Db.OpenAsync())
        await using (var cmd = new NpgsqlCommand("SELECT lockout_end FROM login_throttle WHERE email_hash = sha256(convert_to($1, 'UTF8'))", c) { Parameters = { new() { Value = email } } })
        {
            var end = (DateTime)(await cmd.ExecuteScalarAsync())!;
            end.ShouldBeGreaterThan(site.Clock.GetUtcNow().UtcDateTime.AddMinutes(4));
        }

        site.Clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        using var after = await client.LoginAsync(email, "Lockout-Password-5");
        after.StatusCode.ShouldBe(HttpStatusCode.Redirect);
    }

    [Fact]
    public async Task Logout_PostFromTheDashboardHeaderForm_EndsTheSession()
    {
        using var client = await site.LoggedInAsync(site.Data.A.Email);
        using var logout = await client.PostFormAsync("/account/logout", [], withToken: true, tokenFrom: "/dashboard");
        logout.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        using var dash = await client.Http.GetAsync("/dashboard");
        dash.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        dash.Headers.Location!.AbsolutePath.ShouldBe("/account/login");
    }

    [Theory]
    [InlineData("/account/login")]
    [InlineData("/account/register")]
    [InlineData("/account/logout")]
    public async Task Post_WithoutAntiforgeryToken_Returns400(string path)
    {
        using var client = site.NewClient();
        await client.TokenAsync("/account/login"); // has the antiforgery cookie, but sends no token
        using var r = await client.PostFormAsync(path, [new("Email", site.Data.A.Email), new("Password", KnownDataSet.Password)], withToken: false);
        r.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Post_WithTokenFromAnotherSession_Returns400()
    {
        using var attacker = site.NewClient();
        var token = await attacker.TokenAsync();
        using var victim = site.NewClient();
        await victim.TokenAsync();
        using var r = await victim.Http.PostAsync("/account/login", new FormUrlEncodedContent(
            [new("Email", site.Data.A.Email), new("Password", KnownDataSet.Password), new("__RequestVerificationToken", token)]));
        r.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Dashboard_Anonymous_RedirectsToLogin()
    {
        using var client = site.NewClient();
        using var r = await client.Http.GetAsync("/dashboard");
        r.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        r.Headers.Location!.AbsolutePath.ShouldBe("/account/login");
    }

    [Fact]
    public async Task Health_Answers200Json()
    {
        using var client = site.NewClient();
        using var r = await client.Http.GetAsync("/health");
        r.StatusCode.ShouldBe(HttpStatusCode.OK);
        r.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
    }
}
