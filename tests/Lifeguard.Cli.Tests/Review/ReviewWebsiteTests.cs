using Lifeguard.Cli.Drill;
using Lifeguard.Cli.Load;
using Npgsql;

namespace Lifeguard.Cli.Tests.Review;

/// <summary>`lifeguard review` on the real website: its tagged statements name their page, next to the guard's hold time for that route.</summary>
public sealed class ReviewWebsiteTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Review_WebsiteUnderLoadWithMetricsUrl_NamesTheDashboardRouteAndItsHoldTime()
    {
        var ct = TestContext.Current.CancellationToken;
        var repo = Checkout.Find();
        await using var db = await SeededSiteDatabase.CreateAsync(repo, "review_site_", ct);
        var cs = db.ConnectionString;
        await using var site = await SiteProcess.StartAsync(repo, new NpgsqlConnectionStringBuilder(cs) { MaxPoolSize = 4 }.ConnectionString, SiteDatabase.SiteSettings(), ct);
        using (var load = new LoadRunner(new LoadOptions { BaseUrl = site.Url, Users = 4, Duration = TimeSpan.FromSeconds(3) }))
        {
            await load.LoginAsync(null, ct);
            var summary = await load.RunAsync(null, ct);
            summary.Requests.ShouldBeGreaterThan(0);
        }

        var (exit, output, json) = await _cli.RunAsync("review", "--server", cs, "--min-calls", "1", "--min-mean-ms", "0", "--top", "50",
            "--metrics-url", new Uri(site.ManagementUrl, "/metrics").ToString());
        exit.ShouldBe(0, output);
        var statements = json!.Value.GetProperty("statements").EnumerateArray().ToList();
        var sources = statements.Select(s => s.GetProperty("source").GetString()).ToList();
        sources.ShouldContain("dashboard.totals", output);
        sources.ShouldContain("account.login", output);
        var totals = statements.Single(s => s.GetProperty("source").GetString() == "dashboard.totals");
        totals.GetProperty("route").GetString().ShouldBe("GET /Dashboard"); // the Razor page's route pattern
        totals.GetProperty("route_hold_mean_ms").GetDouble().ShouldBeGreaterThan(0);
        output.ShouldContain("serves GET /Dashboard (guard hold mean");
        // The login statement runs on the form's POST, not on the GET that shows it (nor on /Account/Logout).
        var login = statements.Single(s => s.GetProperty("source").GetString() == "account.login");
        login.GetProperty("route").GetString().ShouldBe("POST /Account/Login", output);
        login.GetProperty("route_hold_mean_ms").GetDouble().ShouldBeGreaterThan(0);
        // Every statement a request runs is tagged, the session lookup of every page included.
        sources.ShouldContain("session.read", output);
        sources.ShouldContain("session.create", output);
        // Primary-key and unique lookups get no index advice.
        foreach (var source in new[] { "session.read", "session.create", "account.login", "dashboard.workspace" })
        {
            statements.Single(s => s.GetProperty("source").GetString() == source).GetProperty("index_advice").GetArrayLength().ShouldBe(0, source);
        }

        // The same routes from the guard's own document (/lifeguard/state), the contract the CLI reads the guard through.
        var (exitState, outputState, jsonState) = await _cli.RunAsync("review", "--server", cs, "--min-calls", "1", "--min-mean-ms", "0", "--top", "50",
            "--metrics-url", new Uri(site.ManagementUrl, "/lifeguard/state").ToString());
        exitState.ShouldBe(0, outputState);
        var fromState = jsonState!.Value.GetProperty("statements").EnumerateArray()
            .Single(s => s.GetProperty("source").GetString() == "dashboard.totals");
        fromState.GetProperty("route").GetString().ShouldBe("GET /Dashboard", outputState);
        fromState.GetProperty("route_hold_mean_ms").GetDouble().ShouldBeGreaterThan(0);
    }
}
