using System.Diagnostics;
using System.Text.Json;
using Lifeguard.Cli.Drill;
using Npgsql;

namespace Lifeguard.Cli.Tests;

/// <summary>`lifeguard check` on the website's real appsettings.json, alone and with the connection string run.sh supplies.</summary>
public sealed class WebsiteConfigurationTests : IDisposable
{
    private readonly CliRunner _cli = new();
    private static readonly Checkout Repo = Checkout.Find();
    private static readonly string AppSettings = Path.Combine(Repo.Root, "apps", "Website", "appsettings.json");

    public void Dispose() => _cli.Dispose();

    private static string[] RuleIds(JsonElement json) =>
        json.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("rule_id").GetString()!).ToArray();

    [Fact]
    public async Task Check_WebsiteAppSettingsAlone_ReportsMainSuppliedAtRunTimeAndPasses()
    {
        var (exit, output, json) = await _cli.RunAsync("check", AppSettings);

        exit.ShouldBe(0, output);
        RuleIds(json!.Value).ShouldBe(["LG012"]);
        var finding = json.Value.GetProperty("findings")[0];
        finding.GetProperty("subject").GetString().ShouldBe("ConnectionStrings:Main");
        finding.GetProperty("severity").GetString().ShouldBe("warning");
        finding.GetProperty("message").GetString()!.ShouldContain("ConnectionStrings__Main");
        finding.GetProperty("fix").GetString()!.ShouldContain("--env");
        json.Value.GetProperty("pools").GetArrayLength().ShouldBe(0);
        output.ShouldContain("0 connection string(s) checked");
    }

    [Fact]
    public async Task Check_WebsiteAppSettingsWithEnv_RunShConnectionString_FailsFleetBudgetOfTheServer()
    {
        var server = TestPostgres.ConnectionString;
        var port = new NpgsqlConnectionStringBuilder(server).Port;
        // Exactly what run.sh exports as ConnectionStrings__Main.
        var runSh = (await Repo.RunAsync(Path.Combine(Repo.Root, "eng", "pg.sh"), ["url", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)], null, TestContext.Current.CancellationToken)).Trim();
        var jsonPath = _cli.PathFor("check.json");

        // As a process: the environment variable belongs to the checked app, not to this test process.
        var psi = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Lifeguard.Cli.dll"), "check", AppSettings, "--env", "--server", server, "--json", jsonPath])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.Environment["ConnectionStrings__Main"] = runSh;
        using var process = Process.Start(psi)!;
        var output = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);

        // A real finding: run.sh's string leaves the pool at Npgsql's 100, more than the private cluster's
        // max_connections 100 minus 3 superuser slots, so one busy instance can exhaust the server.
        process.ExitCode.ShouldBe(1, output);
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(jsonPath, TestContext.Current.CancellationToken));
        var json = doc.RootElement;
        var pool = json.GetProperty("pools").EnumerateArray().Single();
        pool.GetProperty("name").GetString().ShouldBe("ConnectionStrings:Main (from ConnectionStrings__Main)");
        pool.GetProperty("server").GetString().ShouldBe($"127.0.0.1:{port}");
        pool.GetProperty("maximum_pool_size").GetInt32().ShouldBe(100);
        // run.sh's string sets no pool size and no Timeout: both are the provider's defaults, which check warns about.
        // (The website itself applies Timeout=3 when none is given; check reads the configuration, not the app.)
        RuleIds(json).ShouldBe(["LG011", "LG005", "LG008"]);
        var severities = json.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("severity").GetString()).ToArray();
        severities.ShouldBe(["error", "warning", "warning"]);
        json.GetProperty("passed").GetBoolean().ShouldBeFalse();
        var budget = json.GetProperty("server");
        budget.GetProperty("max_connections").GetInt32().ShouldBeLessThanOrEqualTo(100, "eng/pg.sh keeps PostgreSQL's default max_connections");
        json.GetRawText().ShouldNotContain("Password=");
    }
}
