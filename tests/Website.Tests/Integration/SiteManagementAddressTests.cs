using System.Net;
using System.Text.Json;
using Website.Tests.Infrastructure;

namespace Website.Tests.Integration;

/// <summary>What an outsider on the site's port sees of the operational endpoints (nothing), and what the management
/// address serves.</summary>
public sealed class SiteManagementAddressTests(SiteFixture site) : IClassFixture<SiteFixture>
{
    private static readonly string[] Operational = ["/metrics", "/lifeguard", "/lifeguard/page.js", "/lifeguard/state", "/lifeguard/statements"];

    [Fact]
    public async Task PublicPort_AnonymousOperationalRequests_Answer404()
    {
        using var client = site.NewClient();
        foreach (var path in Operational)
        {
            using var r = await client.Http.GetAsync(path);
            r.StatusCode.ShouldBe(HttpStatusCode.NotFound, path);
            (await r.Content.ReadAsStringAsync()).ShouldNotContain("db_client_connection");
        }
    }

    [Fact]
    public async Task PublicPort_LoggedInUser_StillGets404ForOperationalEndpoints()
    {
        using var client = await site.LoggedInAsync(site.Data.A.Email);
        foreach (var path in Operational)
        {
            using var r = await client.Http.GetAsync(path);
            r.StatusCode.ShouldBe(HttpStatusCode.NotFound, path);
        }
    }

    [Fact]
    public async Task ManagementAddress_ServesMetricsStateAndThePage()
    {
        using var management = site.Site.NewManagementClient();
        foreach (var path in Operational)
        {
            using var r = await management.Http.GetAsync(path);
            r.StatusCode.ShouldBe(HttpStatusCode.OK, path);
        }

        var metrics = await management.Http.GetStringAsync("/metrics");
        metrics.ShouldContain("db_client_connection_max{");
        metrics.ShouldContain("db_client_connection_wait_time_seconds_bucket{");
        var state = JsonDocument.Parse(await management.Http.GetStringAsync("/lifeguard/state")).RootElement;
        state.GetProperty("max").GetInt32().ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task ManagementAddress_TheSitesPages_Answer404()
    {
        using var management = site.Site.NewManagementClient();
        using var login = await management.Http.GetAsync("/account/login");
        login.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        using var dashboard = await management.Http.GetAsync("/dashboard");
        dashboard.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Health_PublicPortIsStatusOnly_ManagementAddressHasTheDetails()
    {
        using var client = site.NewClient();
        using var r = await client.Http.GetAsync("/health");
        r.StatusCode.ShouldBe(HttpStatusCode.OK);
        var text = await r.Content.ReadAsStringAsync();
        text.ShouldBe("""{"status":"Healthy"}""");

        using var management = site.Site.NewManagementClient();
        var details = JsonDocument.Parse(await management.Http.GetStringAsync("/health")).RootElement;
        details.GetProperty("status").GetString().ShouldBe("Healthy");
        var data = details.GetProperty("checks").GetProperty("lifeguard").GetProperty("data");
        data.GetProperty("pool").GetString()!.ShouldNotBeNullOrEmpty();
        data.GetProperty("max").GetInt32().ShouldBeGreaterThan(0);
    }
}
