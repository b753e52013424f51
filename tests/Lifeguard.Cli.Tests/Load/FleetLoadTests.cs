using Lifeguard.Cli.Drill;
using Npgsql;

namespace Lifeguard.Cli.Tests.Load;

/// <summary>`lifeguard load` over several sites (a fleet: ./run.sh --instances N): two real website processes on one
/// seeded database, each with its own pool; users split over them, requests go round robin, the report counts each.</summary>
public sealed class FleetLoadTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    [Theory]
    [InlineData("closed")]
    [InlineData("open")]
    public async Task Load_TwoRealSites_SplitsUsersAndRequestsAndReportsEachAndTheTotal(string mode)
    {
        var ct = TestContext.Current.CancellationToken;
        var repo = Checkout.Find();
        await using var db = await SeededSiteDatabase.CreateAsync(repo, "fleet_load_", ct);
        var cs = new NpgsqlConnectionStringBuilder(db.ConnectionString) { MaxPoolSize = 4 }.ConnectionString;
        await using var a = await SiteProcess.StartAsync(repo, cs, SiteDatabase.SiteSettings(), ct);
        await using var b = await SiteProcess.StartAsync(repo, cs, SiteDatabase.SiteSettings(), ct);

        string[] pacing = mode == "open" ? ["--rate", "20"] : ["--think", "50ms"];
        var (exit, output, json) = await _cli.RunAsync(["load", "--url", a.Url.ToString(), "--url", b.Url.ToString(), "--users", "4", "--duration", "4s", .. pacing]);

        exit.ShouldBe(0, output + _cli.Progress);
        var perUrl = json!.Value.GetProperty("per_url").EnumerateArray().ToList();
        perUrl.Count.ShouldBe(2);
        perUrl[0].GetProperty("url").GetString().ShouldBe(new Uri(a.Url, "/dashboard").ToString());
        perUrl[1].GetProperty("url").GetString().ShouldBe(new Uri(b.Url, "/dashboard").ToString());
        foreach (var u in perUrl)
        {
            u.GetProperty("users").GetInt32().ShouldBe(2);
            u.GetProperty("ok").GetInt64().ShouldBeGreaterThan(0, output); // both sites served pages to users logged in on them
        }

        var requests = perUrl.Select(u => u.GetProperty("requests").GetInt64()).ToList();
        requests.Sum().ShouldBe(json.Value.GetProperty("requests").GetInt64());
        perUrl.Sum(u => u.GetProperty("errors").GetInt64()).ShouldBe(json.Value.GetProperty("errors").GetInt64());
        if (mode == "open") Math.Abs(requests[0] - requests[1]).ShouldBeLessThanOrEqualTo(1, "round robin: request k goes to site k mod 2");
        output.ShouldContain(new Uri(b.Url, "/dashboard").ToString());
        output.ShouldContain("total");
    }
}
