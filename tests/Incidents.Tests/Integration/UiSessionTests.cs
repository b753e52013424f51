using System.Net;
using Incidents.Access;
using Incidents.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Incidents.Tests.Infrastructure.Webhooks;

namespace Incidents.Tests.Integration;

/// <summary>
/// UI sessions live on the server: a cookie copied before a logout, a demotion or a password change opens nothing
/// after it; wrong passwords lock the account whatever address they come from; X-Forwarded-For counts only from a
/// configured proxy.
/// </summary>
public sealed class UiSessionTests : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private RunningService _service = null!;

    public async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _service = await RunningService.StartAsync(_db.ConnectionString, new Dictionary<string, string?> { ["Incidents:Login:LockoutThreshold"] = "3" });
    }

    public async ValueTask DisposeAsync()
    {
        await _service.DisposeAsync();
        await _db.DisposeAsync();
    }

    // a second client carrying only the auth cookie the first one holds now: what an attacker's copy would be
    private UiClient Copy(UiClient from)
    {
        var copy = new UiClient(_service.BaseAddress);
        foreach (Cookie c in from.Cookies.GetCookies(_service.BaseAddress))
        {
            if (c.Name.EndsWith("incidents.auth", StringComparison.Ordinal)) copy.Cookies.Add(_service.BaseAddress, new Cookie(c.Name, c.Value, "/"));
        }

        return copy;
    }

    private async Task<UiClient> LoggedInAsync(string email, string password)
    {
        var ui = new UiClient(_service.BaseAddress);
        (await ui.LoginAsync(email, password)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await ui.Http.GetAsync("/")).StatusCode.ShouldBe(HttpStatusCode.OK);
        return ui;
    }

    [Fact]
    public async Task Cookie_ReplayedAfterLogout_IsRefused()
    {
        using var ui = await LoggedInAsync(RunningService.ResponderEmail, RunningService.Password);
        using var copy = Copy(ui);
        (await copy.Http.GetAsync("/")).StatusCode.ShouldBe(HttpStatusCode.OK, "the copy works while the session lives");
        (await ui.PostFormAsync("/account/logout", [], tokenFrom: "/account/logout")).StatusCode.ShouldBe(HttpStatusCode.Redirect);

        using var after = await copy.Http.GetAsync("/");
        after.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        after.Headers.Location!.ToString().ShouldContain("/account/login");
        (await _db.ScalarAsync<long>("SELECT count(*) FROM ui_sessions")).ShouldBe(0);
    }

    [Fact]
    public async Task Cookie_AfterDemotionOrPasswordChange_IsRefused()
    {
        const string email = "dana@lifeguard.local";
        var users = _service.Services.GetRequiredService<UserStore>();
        await users.SetAsync(email, Roles.Responder, RunningService.Password, CancellationToken.None);
        using var api = _service.Api();
        var id = (await PostAsync(api, Body("demote", Alert("fp-d", "firing", DateTimeOffset.UtcNow)))).GetProperty("incident_id").GetInt64();

        using var ui = await LoggedInAsync(email, RunningService.Password);
        using var copy = Copy(ui);
        await users.SetAsync(email, Roles.Viewer, RunningService.Password, CancellationToken.None); // demoted
        using (var act = await copy.PostFormAsync($"/incidents/{id}?handler=Acknowledge", [], tokenFrom: "/account/login"))
        {
            act.StatusCode.ShouldBeOneOf(HttpStatusCode.Redirect, HttpStatusCode.BadRequest, HttpStatusCode.Forbidden);
        }

        (await GetIncidentAsync(api, id)).GetProperty("status").GetString().ShouldBe("triggered", "a demoted responder's old cookie acknowledged");
        (await copy.Http.GetAsync("/")).StatusCode.ShouldBe(HttpStatusCode.Redirect, "the session ended with the role change");

        using var viewer = await LoggedInAsync(email, RunningService.Password);
        using var viewerCopy = Copy(viewer);
        await users.SetAsync(email, Roles.Viewer, "a-brand-new-password-42", CancellationToken.None); // password changed
        (await viewerCopy.Http.GetAsync("/")).StatusCode.ShouldBe(HttpStatusCode.Redirect, "the session ended with the password change");
    }

    [Fact]
    public async Task WrongPasswords_FromManyAddresses_LockTheAccountEvenForTheRightOne()
    {
        const string email = "erin@lifeguard.local";
        await _service.Services.GetRequiredService<UserStore>().SetAsync(email, Roles.Responder, RunningService.Password, CancellationToken.None);
        using var ui = await LoggedInAsync(email, RunningService.Password);
        for (var i = 0; i < 3; i++)
        {
            using var attacker = new UiClient(_service.BaseAddress);
            attacker.Http.DefaultRequestHeaders.Add("X-Forwarded-For", $"203.0.113.{i + 1}");
            (await attacker.LoginAsync(email, "wrong-password-" + i)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }

        using var owner = new UiClient(_service.BaseAddress);
        (await owner.LoginAsync(email, RunningService.Password)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "locked: the right password does not open it");
        (await ui.Http.GetAsync("/")).StatusCode.ShouldBe(HttpStatusCode.Redirect, "the lockout ended the session already open");
    }
}

/// <summary>The login limiter's bucket is the peer's address; X-Forwarded-For picks it only when the peer is a configured proxy.</summary>
public sealed class UiLoginLimitTests
{
    private static async Task<HttpStatusCode[]> PostLoginsAsync(RunningService service, int count)
    {
        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < count; i++)
        {
            using var ui = new UiClient(service.BaseAddress);
            ui.Http.DefaultRequestHeaders.Add("X-Forwarded-For", $"198.51.100.{i + 1}");
            using var r = await ui.LoginAsync($"nobody{i}@lifeguard.local", "not-the-password-1");
            codes.Add(r.StatusCode);
        }

        return [.. codes];
    }

    [Fact]
    public async Task ForwardedFor_FromAnUntrustedPeer_IsIgnored_FromAConfiguredProxy_IsTheClient()
    {
        await using (var db = await TestDatabase.CreateAsync())
        await using (var service = await RunningService.StartAsync(db.ConnectionString, new Dictionary<string, string?> { ["Incidents:Login:PermitLimit"] = "3" }))
        {
            (await PostLoginsAsync(service, 4)).Last().ShouldBe(HttpStatusCode.TooManyRequests, "every post shares the peer's bucket, whatever the header says");
        }

        await using (var db = await TestDatabase.CreateAsync())
        await using (var service = await RunningService.StartAsync(db.ConnectionString, new Dictionary<string, string?>
        {
            ["Incidents:Login:PermitLimit"] = "3",
            ["Incidents:Login:KnownProxies:0"] = "127.0.0.1",
        }))
        {
            (await PostLoginsAsync(service, 4)).ShouldAllBe(c => c == HttpStatusCode.Unauthorized, "behind the configured proxy each client has its own bucket");
        }
    }
}
