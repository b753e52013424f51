using System.Net;
using System.Net.Http.Headers;

namespace Website.Tests.Integration;

/// <summary>With Lifeguard:Endpoints:Token the management address refuses requests without the token.</summary>
public sealed class ManagementTokenTests(ManagementTokenFixture site) : IClassFixture<ManagementTokenFixture>
{
    [Fact]
    public async Task ManagementAddress_WithoutOrWithAWrongToken_Answers401AndWithItServes()
    {
        foreach (var path in new[] { "/metrics", "/lifeguard/state", "/health" })
        {
            using var anonymous = site.Site.NewManagementClient();
            using var none = await anonymous.Http.GetAsync(path);
            none.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, path);
            (await none.Content.ReadAsStringAsync()).ShouldBeEmpty();

            anonymous.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "website-test-token-wrong-000000");
            using var wrong = await anonymous.Http.GetAsync(path);
            wrong.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, path);

            anonymous.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ManagementTokenFixture.Token);
            using var good = await anonymous.Http.GetAsync(path);
            good.StatusCode.ShouldBe(HttpStatusCode.OK, path);
        }
    }

    [Fact]
    public async Task PublicPort_HealthNeedsNoToken_OperationalEndpointsStill404WithIt()
    {
        using var client = site.NewClient();
        using var health = await client.Http.GetAsync("/health");
        health.StatusCode.ShouldBe(HttpStatusCode.OK);
        client.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ManagementTokenFixture.Token);
        using var metrics = await client.Http.GetAsync("/metrics");
        metrics.StatusCode.ShouldBe(HttpStatusCode.NotFound); // the token opens the management address, not the public port
    }
}
