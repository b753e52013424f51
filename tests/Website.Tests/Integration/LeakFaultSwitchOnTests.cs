using System.Net;
using System.Text.Json;
using Website.Tests.Infrastructure;

namespace Website.Tests.Integration;

/// <summary>With the switch on, each call from loopback leaks one pooled connection: the guard sees it held.</summary>
public sealed class LeakFaultSwitchOnTests(LeakSwitchOnFixture site) : IClassFixture<LeakSwitchOnFixture>
{
    [Fact]
    public async Task LeakRoute_SwitchOn_LeaksOneConnectionPerCall()
    {
        using var client = site.Site.NewClient();
        for (var i = 0; i < 2; i++)
        {
            using var r = await client.Http.GetAsync("/drill/leak", TestContext.Current.CancellationToken);
            r.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        using var management = site.Site.NewManagementClient();
        var state = JsonDocument.Parse(await management.Http.GetStringAsync("/lifeguard/state", TestContext.Current.CancellationToken)).RootElement;
        state.GetProperty("in_use").GetInt32().ShouldBeGreaterThanOrEqualTo(2, state.ToString());
    }
}
