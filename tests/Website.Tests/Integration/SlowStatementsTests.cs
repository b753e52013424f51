using System.Net;
using System.Text.Json;
using Website.Tests.Infrastructure;

namespace Website.Tests.Integration;

/// <summary>The live page's "slowest statements" section: the review the site runs against its own database, served on
/// the management address only.</summary>
public sealed class SlowStatementsTests(SiteFixture site) : IClassFixture<SiteFixture>
{
    [Fact]
    public async Task Statements_AfterDashboards_ListTheDashboardStatementsByTheirSourceWithoutAdvice()
    {
        using var client = await site.LoggedInAsync(site.Data.A.Email);
        for (var i = 0; i < 12; i++)
        {
            using var r = await client.Http.GetAsync("/dashboard");
            r.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        using var management = site.Site.NewManagementClient();
        var report = JsonDocument.Parse(await management.Http.GetStringAsync("/lifeguard/statements", TestContext.Current.CancellationToken)).RootElement;
        var statements = report.GetProperty("statements").EnumerateArray().ToList();
        var dashboard = statements.Where(s => s.GetProperty("source").GetString()?.StartsWith("dashboard.", StringComparison.Ordinal) == true).ToList();
        dashboard.ShouldNotBeEmpty($"statements: {report}");
        foreach (var s in dashboard)
        {
            s.GetProperty("calls").GetInt64().ShouldBeGreaterThanOrEqualTo(10);
            // The dashboard's statements are served by orders_workspace_created: no index to advise.
            s.GetProperty("indexAdvice").ValueKind.ShouldBe(JsonValueKind.Null, s.GetProperty("query").GetString());
        }
    }

    [Fact]
    public async Task Statements_OnThePublicPort_Answer404()
    {
        using var client = await site.LoggedInAsync(site.Data.A.Email);
        using var r = await client.Http.GetAsync("/lifeguard/statements");
        r.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}
