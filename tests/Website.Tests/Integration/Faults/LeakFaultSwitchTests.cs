using System.Net;
using System.Text.Json;
using Website.Tests.Infrastructure;

namespace Website.Tests.Integration.Faults;

/// <summary>The drill's leak fault switch: off by default (the route does not exist), on only by configuration.</summary>
public sealed class LeakFaultSwitchTests(SiteFixture site) : IClassFixture<SiteFixture>
{
    [Fact]
    public async Task LeakRoute_SwitchOffByDefault_Answers404()
    {
        using var client = site.Site.NewClient();
        using var r = await client.Http.GetAsync("/drill/leak", TestContext.Current.CancellationToken);
        r.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}
