using System.Net;
using Incidents.Tests.Infrastructure;
using static Incidents.Tests.Infrastructure.Webhooks;

namespace Incidents.Tests.Integration;

/// <summary>The Razor UI: login, antiforgery on every form, roles responder and viewer.</summary>
public sealed class UiTests : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private RunningService _service = null!;
    private HttpClient _api = null!;

    public async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _service = await RunningService.StartAsync(_db.ConnectionString, new Dictionary<string, string?>());
        _api = _service.Api();
    }

    public async ValueTask DisposeAsync()
    {
        _api.Dispose();
        await _service.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/incidents/1")]
    [InlineData("/audit")]
    public async Task Page_Anonymous_RedirectsToLogin(string path)
    {
        using var client = new UiClient(_service.BaseAddress);
        using var response = await client.Http.GetAsync(path);
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Headers.Location!.ToString().ShouldContain("/account/login");
    }

    [Fact]
    public async Task Login_WrongPasswordOrUnknownUser_SameMessageAnd401()
    {
        using var client = new UiClient(_service.BaseAddress);
        var wrong = await client.LoginAsync(RunningService.ResponderEmail, "not-the-password-at-all");
        var unknown = await client.LoginAsync("nobody@lifeguard.local", RunningService.Password);
        wrong.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        unknown.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await wrong.Content.ReadAsStringAsync()).ShouldContain("Invalid email or password.");
        (await unknown.Content.ReadAsStringAsync()).ShouldContain("Invalid email or password.");
        var audit = await _api.GetStringAsync("/api/audit");
        audit.ShouldContain("\"action\":\"login_failed\"");
        audit.ShouldNotContain("not-the-password-at-all");
    }

    [Fact]
    public async Task Login_PostWithoutAntiforgeryToken_Answers400()
    {
        using var client = new UiClient(_service.BaseAddress);
        using var response = await client.PostFormAsync("/account/login", [new("Email", RunningService.ResponderEmail), new("Password", RunningService.Password)], withToken: false);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Acknowledge_PostWithoutAntiforgeryToken_Answers400AndChangesNothing()
    {
        var id = (await PostAsync(_api, Body("g", Alert("fp1", "firing", T0)))).GetProperty("incident_id").GetInt64();
        using var client = new UiClient(_service.BaseAddress);
        await client.LoginAsync(RunningService.ResponderEmail, RunningService.Password);
        using var response = await client.PostFormAsync($"/incidents/{id}?handler=Acknowledge", [], withToken: false);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await GetIncidentAsync(_api, id)).GetProperty("status").GetString().ShouldBe("triggered");
    }

    [Fact]
    public async Task Responder_AcknowledgesAddsNoteAndResolves_ShownInTimelineAndAudit()
    {
        var id = (await PostAsync(_api, Body("g", Alert("fp1", "firing", T0)))).GetProperty("incident_id").GetInt64();
        using var client = new UiClient(_service.BaseAddress);
        (await client.LoginAsync(RunningService.ResponderEmail, RunningService.Password)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await client.Http.GetStringAsync("/")).ShouldContain($"incident-{id}");

        var page = $"/incidents/{id}";
        (await client.PostFormAsync($"{page}?handler=Acknowledge", [], page)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await client.PostFormAsync($"{page}?handler=Note", [new("Note", "pool pinned at 2 of 2")], page)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await client.PostFormAsync($"{page}?handler=Resolve", [], page)).StatusCode.ShouldBe(HttpStatusCode.Redirect);

        var html = await client.Http.GetStringAsync(page);
        html.ShouldContain("Acknowledged by responder@lifeguard.local (ui).");
        html.ShouldContain("pool pinned at 2 of 2");
        html.ShouldContain("Resolved by responder@lifeguard.local (ui).");
        var incident = await GetIncidentAsync(_api, id);
        incident.GetProperty("status").GetString().ShouldBe("resolved");
        incident.GetProperty("acknowledged_by").GetString().ShouldBe("responder@lifeguard.local");
        var audit = await client.Http.GetStringAsync("/audit");
        audit.ShouldContain("acknowledge");
        audit.ShouldContain("note");
        (await client.Http.GetStringAsync($"{page}/postmortem")).ShouldContain("# TIMELINE");
    }

    [Fact]
    public async Task Viewer_SeesIncidentWithoutButtonsAndCraftedPostIsForbidden()
    {
        var id = (await PostAsync(_api, Body("g", Alert("fp1", "firing", T0)))).GetProperty("incident_id").GetInt64();
        using var client = new UiClient(_service.BaseAddress);
        (await client.LoginAsync(RunningService.ViewerEmail, RunningService.Password)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var page = $"/incidents/{id}";
        var html = await client.Http.GetStringAsync(page);
        html.ShouldContain("You are a viewer");
        html.ShouldNotContain("id=\"acknowledge\"");
        // a valid antiforgery token (from the logout form in the layout) but the wrong role
        using var response = await client.PostFormAsync($"{page}?handler=Acknowledge", [], page);
        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await GetIncidentAsync(_api, id)).GetProperty("status").GetString().ShouldBe("triggered");
    }
}
