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
    public async Task Check_WebsiteAppSettingsWithEnv_ProviderDefaultPool_FailsFleetBudgetOfTheServer()
    {
        // The pool as it would be without run.sh's sizing: Npgsql's defaults.
        var (exit, output, json) = await CheckWithEnvAsync(pool: false);

        // Npgsql's default 100 is more than the private cluster's max_connections 100 minus 3 superuser
        // slots, so one busy instance can exhaust the server.
        exit.ShouldBe(1, output);
        json.GetProperty("pools").EnumerateArray().Single().GetProperty("maximum_pool_size").GetInt32().ShouldBe(100);
        RuleIds(json).ShouldBe(["LG011", "LG005", "LG008"]);
        var severities = json.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("severity").GetString()).ToArray();
        severities.ShouldBe(["error", "warning", "warning"]);
        json.GetProperty("passed").GetBoolean().ShouldBeFalse();
        json.GetProperty("server").GetProperty("max_connections").GetInt32().ShouldBeLessThanOrEqualTo(100, "eng/pg.sh keeps PostgreSQL's default max_connections");
        json.GetRawText().ShouldNotContain("Password=");
    }

    [Fact]
    public async Task Check_WebsiteAppSettingsWithEnv_RunShSizedPool_PassesWithoutFindings()
    {
        // Exactly what run.sh exports as ConnectionStrings__Main.
        var (exit, output, json) = await CheckWithEnvAsync(pool: true);

        exit.ShouldBe(0, output);
        var pool = json.GetProperty("pools").EnumerateArray().Single();
        pool.GetProperty("name").GetString().ShouldBe("ConnectionStrings:Main (from ConnectionStrings__Main)");
        pool.GetProperty("maximum_pool_size").GetInt32().ShouldBe(8);
        RuleIds(json).ShouldBeEmpty();
        json.GetProperty("passed").GetBoolean().ShouldBeTrue();
    }

    private async Task<(int Exit, string Output, JsonElement Json)> CheckWithEnvAsync(bool pool)
    {
        var server = TestPostgres.ConnectionString;
        var port = new NpgsqlConnectionStringBuilder(server).Port;
        string[] urlArgs = pool ? ["url", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--pool"] : ["url", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        var appConnectionString = (await Repo.RunAsync(Path.Combine(Repo.Root, "eng", "pg.sh"), urlArgs, null, TestContext.Current.CancellationToken)).Trim();
        var jsonPath = _cli.PathFor(pool ? "check-pool.json" : "check-default.json");

        // As a process: the environment variable belongs to the checked app, not to this test process.
        var psi = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Lifeguard.Cli.dll"), "check", AppSettings, "--env", "--server", server, "--json", jsonPath])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.Environment["ConnectionStrings__Main"] = appConnectionString;
        using var process = Process.Start(psi)!;
        var output = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(jsonPath, TestContext.Current.CancellationToken));
        return (process.ExitCode, output, doc.RootElement.Clone());
    }
}
