using Lifeguard.Cli.Drill;
using Lifeguard.Cli.Load;

namespace Lifeguard.Cli.Tests.Load;

public sealed class LoginFailureTests
{
    [Fact]
    public void LoginFailure_503_SaysTheSiteIsUnavailableNotTheCredentials()
    {
        var message = SiteSession.LoginFailure("POST /account/login", 503, "", "user00001@lifeguard.local");
        message.ShouldContain("answered 503");
        message.ShouldContain("the site is unavailable");
        message.ShouldNotContain("password");
    }

    [Fact]
    public void LoginFailure_RedirectBackToLogin_SaysWrongPasswordOrNotSeeded()
    {
        var message = SiteSession.LoginFailure("POST /account/login", 302, "/account/login", "user00001@lifeguard.local");
        message.ShouldContain("wrong password or user not seeded?");
    }

    [Fact]
    public async Task Login_RealWebsiteWhoseDatabaseIsDown_SaysTheSiteIsUnavailable()
    {
        var ct = TestContext.Current.CancellationToken;
        // Nothing listens on port 1: every database call of the site fails, and the site answers 503 (its own rule).
        var settings = SiteDatabase.SiteSettings();
        settings["Lifeguard__ServerMetrics__Enabled"] = "false";
        await using var site = await SiteProcess.StartAsync(Checkout.Find(), "Host=127.0.0.1;Port=1;Username=x;Password=y;Database=z;Timeout=2", settings, ct);
        using var load = new LoadRunner(new LoadOptions { BaseUrl = site.Url, Users = 1, Duration = TimeSpan.FromSeconds(1) });

        var failure = await Should.ThrowAsync<LoginFailedException>(() => load.LoginAsync(null, ct));

        failure.Message.ShouldContain("answered 503");
        failure.Message.ShouldContain("the site is unavailable");
        failure.Message.ShouldNotContain("wrong password");
    }

    [Fact]
    public async Task Login_RealWebsitesRateLimitPastTheDeadline_SaysWhichSettingAndHowManyLoggedIn()
    {
        var ct = TestContext.Current.CancellationToken;
        // One account POST per ten minutes: the first login's retries use it up, and the site's Retry-After (the window's
        // end, ~600 s) lies past the load's login deadline (60 s), so the load must stop at once and say why.
        var settings = SiteDatabase.SiteSettings();
        settings["Lifeguard__ServerMetrics__Enabled"] = "false";
        settings["Website__AccountPostPermitLimit"] = "1";
        settings["Website__AccountPostWindow"] = "00:10:00";
        await using var site = await SiteProcess.StartAsync(Checkout.Find(), "Host=127.0.0.1;Port=1;Username=x;Password=y;Database=z;Timeout=2", settings, ct);
        using var load = new LoadRunner(new LoadOptions { BaseUrl = site.Url, Users = 2, Duration = TimeSpan.FromSeconds(1) });

        var failure = await Should.ThrowAsync<LoginFailedException>(() => load.LoginAsync(null, ct));

        failure.Message.ShouldContain("answered 429");
        failure.Message.ShouldContain("Website__AccountPostPermitLimit=1000");
        failure.Message.ShouldContain("of 2 users had logged in");
    }
}
