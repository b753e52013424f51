using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Website.Dashboards;
using Website.Tests.Infrastructure;

namespace Website.Tests.Integration;

public sealed class DashboardTests(SiteFixture site) : IClassFixture<SiteFixture>
{
    private static readonly DateTime Now = KnownDataSet.Now.UtcDateTime;
    private static readonly DateOnly FirstDay = DateOnly.FromDateTime(Now).AddDays(-29);
    private static readonly DateTime From = FirstDay.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);

    private static List<KnownOrder> InWindow(KnownWorkspace ws) =>
        ws.Orders.Where(o => o.CreatedAt >= From && o.CreatedAt <= Now).ToList();

    [Fact]
    public async Task LoadAsync_KnownDataSet_TotalsMatchIndependentComputation()
    {
        var d = (await site.Site.Services.GetRequiredService<DashboardService>().LoadAsync(site.Data.A.Id, default))!;
        var orders = InWindow(site.Data.A);
        var paid = orders.Where(o => o.Status == "paid").ToList();

        d.WorkspaceName.ShouldBe("Alpha Traders");
        d.FirstDay.ShouldBe(FirstDay);
        d.Totals.Orders.ShouldBe(orders.Count);
        d.Totals.PaidOrders.ShouldBe(paid.Count);
        d.Totals.RevenueCents.ShouldBe(paid.Sum(o => o.AmountCents));
        d.Totals.Refunds.ShouldBe(orders.Count(o => o.Status == "refunded"));
        d.Totals.Customers.ShouldBe(orders.Select(o => o.CustomerId).Distinct().Count());
        // The data set spans 45 days plus future orders: the window really cuts something off on both sides.
        orders.Count.ShouldBeLessThan(site.Data.A.Orders.Count - 10);
    }

    [Fact]
    public async Task LoadAsync_KnownDataSet_DailySeriesHasThirtyDaysMatchingTheOrders()
    {
        var d = (await site.Site.Services.GetRequiredService<DashboardService>().LoadAsync(site.Data.A.Id, default))!;
        var orders = InWindow(site.Data.A);
        d.Daily.Count.ShouldBe(30);
        for (var i = 0; i < 30; i++)
        {
            var day = FirstDay.AddDays(i);
            var ofDay = orders.Where(o => DateOnly.FromDateTime(o.CreatedAt) == day).ToList();
            d.Daily[i].Day.ShouldBe(day);
            d.Daily[i].Orders.ShouldBe(ofDay.Count, $"orders on {day}");
            d.Daily[i].RevenueCents.ShouldBe(ofDay.Where(o => o.Status == "paid").Sum(o => o.AmountCents), $"revenue on {day}");
        }
    }

    [Fact]
    public async Task LoadAsync_KnownDataSet_TopProductsAndRecentOrdersMatch()
    {
        var d = (await site.Site.Services.GetRequiredService<DashboardService>().LoadAsync(site.Data.A.Id, default))!;
        var expectedTop = InWindow(site.Data.A).Where(o => o.Status == "paid")
            .GroupBy(o => o.ProductId)
            .Select(g => (Name: site.Data.ProductNames[g.Key], Revenue: g.Sum(o => o.AmountCents), Count: (long)g.Count()))
            .OrderByDescending(x => x.Revenue).ThenBy(x => x.Name, StringComparer.Ordinal).Take(5).ToList();
        d.TopProducts.Select(p => (p.Name, p.RevenueCents, p.Orders)).ShouldBe(expectedTop);

        var expectedRecent = site.Data.A.Orders.Where(o => o.CreatedAt <= Now).OrderByDescending(o => o.CreatedAt).Take(10)
            .Select(o => (o.CreatedAt, site.Data.A.Customers[o.CustomerId], site.Data.ProductNames[o.ProductId], o.AmountCents, o.Status)).ToList();
        d.Recent.Select(r => (r.CreatedAt, r.Customer, r.Product, r.AmountCents, r.Status)).ShouldBe(expectedRecent);
    }

    [Fact]
    public async Task Dashboard_LoggedIn_RendersTotalsChartAndTables()
    {
        using var client = await site.LoggedInAsync(site.Data.A.Email);
        var html = await client.Http.GetStringAsync("/dashboard");
        var revenue = InWindow(site.Data.A).Where(o => o.Status == "paid").Sum(o => o.AmountCents);
        html.ShouldContain($"id=\"total-revenue\">{Money.Format(revenue)}<");
        html.ShouldContain("<svg");
        html.ShouldContain("id=\"top-products\"");
        html.ShouldContain("id=\"recent-orders\"");
        html.ShouldContain("Alice Alpha");
    }

    [Fact]
    public async Task Dashboard_OtherUser_SeesOwnSecretData()
    {
        // Positive control: B's markers are on B's own dashboard, so their absence from A's pages means something.
        using var client = await site.LoggedInAsync(site.Data.B.Email);
        var html = await client.Http.GetStringAsync("/dashboard");
        html.ShouldContain("Bravo Secret Shop");
        html.ShouldContain("Zed Bravosecret");
    }

    public static TheoryData<string> ProbeUrls() =>
    [
        "/dashboard?workspace={B}",
        "/dashboard?workspaceId={B}",
        "/dashboard?WorkspaceId={B}&workspace_id={B}",
        "/dashboard?ws={B}&id={B}&userId={B}",
        "/dashboard/{B}",
        "/dashboard/{B}/",
        "/Dashboard?handler=workspace&workspaceId={B}",
        "/dashboard?workspaceId={B}%20OR%201=1",
        "/dashboard?workspaceId=-1%20UNION%20SELECT%20name%20FROM%20workspaces",
        "/?workspaceId={B}",
        "/account/login?ReturnUrl=/dashboard%3FworkspaceId%3D{B}",
    ];

    [Theory]
    [MemberData(nameof(ProbeUrls))]
    public async Task Dashboard_UserA_CannotReachWorkspaceBByAnyParameter(string template)
    {
        using var client = await site.LoggedInAsync(site.Data.A.Email);
        using var r = await client.Http.GetAsync(template.Replace("{B}", site.Data.B.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        var html = await r.Content.ReadAsStringAsync();
        ((int)r.StatusCode).ShouldBeLessThan(500);
        html.ShouldNotContain("Bravo Secret Shop");
        html.ShouldNotContain("Zed Bravosecret");
        if (r.StatusCode == HttpStatusCode.OK && html.Contains("id=\"workspace-name\"", StringComparison.Ordinal))
        {
            html.ShouldContain("Alpha Traders");
        }
    }

    [Fact]
    public async Task Dashboard_PostWithWorkspaceId_IsRejectedAndLeaksNothing()
    {
        using var client = await site.LoggedInAsync(site.Data.A.Email);
        using var r = await client.PostFormAsync("/dashboard", [new("workspaceId", site.Data.B.Id.ToString(System.Globalization.CultureInfo.InvariantCulture))], withToken: false);
        ((int)r.StatusCode).ShouldBeInRange(400, 499);
        (await r.Content.ReadAsStringAsync()).ShouldNotContain("Bravo");
    }

    [Fact]
    public async Task Dashboard_TamperedAuthCookie_IsTreatedAsAnonymous()
    {
        using var client = await site.LoggedInAsync(site.Data.A.Email);
        var cookie = client.Cookies.GetAllCookies().Single(c => c.Name == "lifeguard.auth");
        cookie.Value = cookie.Value[..^8] + (cookie.Value.EndsWith("AAAAAAAA", StringComparison.Ordinal) ? "BBBBBBBB" : "AAAAAAAA");
        using var r = await client.Http.GetAsync("/dashboard");
        r.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        r.Headers.Location!.AbsolutePath.ShouldBe("/account/login");
    }
}
