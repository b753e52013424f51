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
        var failure = await LoginToASiteWithoutDatabaseAsync(users: 1, new Dictionary<string, string>());

        failure.Message.ShouldContain("answered 503");
        failure.Message.ShouldContain("the site is unavailable");
        failure.Message.ShouldNotContain("wrong password");
    }

    [Fact]
    public async Task Login_RealWebsitesRateLimitPastTheDeadline_SaysWhichSettingAndHowManyLoggedIn()
    {
        // One account POST per ten minutes: the first login's retries use it up, and the site's Retry-After (the window's
        // end, ~600 s) lies past the load's login deadline (60 s), so the load must stop at once and say why.
        var failure = await LoginToASiteWithoutDatabaseAsync(users: 2, new Dictionary<string, string>
        {
            ["Website__AccountPostPermitLimit"] = "1",
            ["Website__AccountPostWindow"] = "00:10:00",
        });

        failure.Message.ShouldContain("answered 429");
        failure.Message.ShouldContain("Website__AccountPostPermitLimit=1000");
        failure.Message.ShouldContain("of 2 users had logged in");
    }

    // The real website with nothing listening on its database's port (1): every database call fails and the site answers
    // 503 (its own rule); the load's login must fail, and the exception is what it says.
    private static async Task<LoginFailedException> LoginToASiteWithoutDatabaseAsync(int users, Dictionary<string, string> extra)
    {
        var ct = TestContext.Current.CancellationToken;
        var settings = SiteDatabase.SiteSettings();
        settings["Lifeguard__ServerMetrics__Enabled"] = "false";
        foreach (var (k, v) in extra) settings[k] = v;
        await using var site = await SiteProcess.StartAsync(Checkout.Find(), "Host=127.0.0.1;Port=1;Username=x;Password=y;Database=z;Timeout=2", settings, ct);
        using var load = new LoadRunner(new LoadOptions { BaseUrl = site.Url, Users = users, Duration = TimeSpan.FromSeconds(1) });
        return await Should.ThrowAsync<LoginFailedException>(() => load.LoginAsync(null, ct));
    }
}
