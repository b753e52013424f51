using System.Globalization;
using Lifeguard.Cli.Drill;
using Lifeguard.Cli.Load;
using Npgsql;

namespace Lifeguard.Cli.Tests.Size;

/// <summary>`lifeguard size --metrics-url` against the real website's /metrics while `lifeguard load` drives it.</summary>
public sealed class SizeMetricsUrlTests : IDisposable
{
    private const double Rate = 25;
    private const int MaxPoolSize = 10;
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    [Theory]
    [InlineData("/metrics")] // Prometheus text
    [InlineData("/lifeguard/state")] // the guard's own reading, the contract
    public async Task Size_MetricsUrlOfRealWebsiteUnderLoad_SamplesPlausibleRateAndHold(string path)
    {
        var ct = TestContext.Current.CancellationToken;
        var repo = Checkout.Find();
        await using var db = await SeededSiteDatabase.CreateAsync(repo, "lifeguard_size_", ct);
        var cs = db.ConnectionString;
        var siteCs = new NpgsqlConnectionStringBuilder(cs) { MaxPoolSize = MaxPoolSize }.ConnectionString;
        await using var site = await SiteProcess.StartAsync(repo, siteCs, SiteDatabase.SiteSettings(), ct);

        using var load = new LoadRunner(new LoadOptions { BaseUrl = site.Url, Users = 8, Rate = Rate, Duration = TimeSpan.FromSeconds(9) });
        await load.LoginAsync(null, ct);
        var running = load.RunAsync(null, ct);
        await Task.Delay(TimeSpan.FromSeconds(1), ct);
        var (exit, output, json) = await _cli.RunAsync("size", "--metrics-url", new Uri(site.ManagementUrl, path).ToString(), "--window", "5s", "--db-cores", "2", "--server", TestPostgres.ConnectionString);
        var summary = await running;

        var why = output + Environment.NewLine + $"load: {summary.Requests} requests, {summary.Errors} errors, p99 {summary.P99Ms} ms";
        exit.ShouldBe(0, why);
        summary.Errors.ShouldBe(0, why);
        var inputs = json!.Value.GetProperty("inputs");
        // One connection lease per dashboard request: the sampled rate is the load's rate, give or take the window's edges.
        inputs.GetProperty("arrival_rate_per_second").GetDouble().ShouldBeInRange(0.6 * Rate, 1.5 * Rate, why);
        var holdMean = inputs.GetProperty("hold_mean_ms").GetDouble();
        holdMean.ShouldBeInRange(0.05, 1000, why);
        inputs.GetProperty("hold_p99_ms").GetDouble().ShouldBeGreaterThanOrEqualTo(holdMean, why);
        inputs.GetProperty("pool").GetString().ShouldNotBeNullOrEmpty();
        inputs.GetProperty("sampled_leases").GetDouble().ShouldBeGreaterThan(0.6 * Rate * 5, why);
        inputs.GetProperty("sampled_seconds").GetDouble().ShouldBeInRange(4.9, 8, why);
        inputs.GetProperty("current_maximum_pool_size").GetDouble().ShouldBe(MaxPoolSize);
        inputs.GetProperty("max_connections").GetInt32().ShouldBeGreaterThan(0);
        json.Value.GetProperty("source").GetString()!.ShouldStartWith("metrics ");
        var recommendation = json.Value.GetProperty("recommendation");
        recommendation.GetProperty("verdict").GetString().ShouldBe("recommended", why);
        recommendation.GetProperty("maximum_pool_size").GetInt32().ShouldBeInRange(1, 20, why);
        recommendation.GetProperty("reasons").GetArrayLength().ShouldBeGreaterThan(2);
        json.Value.GetProperty("alternatives").GetArrayLength().ShouldBeGreaterThan(0);
        output.ShouldContain(string.Create(CultureInfo.InvariantCulture, $"Current Maximum Pool Size"));
    }
}
