using System.Diagnostics;
using System.Text.Json;

namespace Lifeguard.Cli.Tests.Check;

public sealed class CheckCommandTests : IDisposable
{
    private readonly CliRunner _cli = new();

    private const string GoodSettings = """
        {
          "ConnectionStrings": {
            "Main": "Host=127.0.0.1;Port=5432;Database=app;Username=u;Password=p;Maximum Pool Size=10;Minimum Pool Size=2;Timeout=3;Connection Lifetime=3600"
          },
          "Logging": { "LogLevel": { "Default": "Warning" } }
        }
        """;

    public void Dispose() => _cli.Dispose();

    private static string[] RuleIds(JsonElement json) =>
        json.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("rule_id").GetString()!).ToArray();

    [Fact]
    public async Task Check_GoodAppSettings_ExitsZeroAndJsonSaysPassed()
    {
        var (exit, output, json) = await _cli.RunAsync("check", _cli.Write("appsettings.json", GoodSettings));

        exit.ShouldBe(0);
        output.ShouldContain("check passed");
        json!.Value.GetProperty("passed").GetBoolean().ShouldBeTrue();
        json.Value.GetProperty("pools")[0].GetProperty("name").GetString().ShouldBe("ConnectionStrings:Main");
        json.Value.GetProperty("pools")[0].GetProperty("maximum_pool_size").GetInt32().ShouldBe(10);
        RuleIds(json.Value).ShouldBeEmpty();
    }

    [Fact]
    public async Task Check_MaxPoolSizeKeyword_ExitsOneWithProviderRejectedAndNoSecretsInJson()
    {
        var settings = GoodSettings.Replace("Maximum Pool Size=10", "Max Pool Size=10", StringComparison.Ordinal);
        var (exit, _, json) = await _cli.RunAsync("check", _cli.Write("appsettings.json", settings));

        exit.ShouldBe(1);
        json!.Value.GetProperty("passed").GetBoolean().ShouldBeFalse();
        RuleIds(json.Value).ShouldContain("LG001");
        json.Value.GetRawText().ShouldNotContain("Password=p");
    }

    [Fact]
    public async Task Check_ConnectionStringArgument_TimeoutZero_ExitsOne()
    {
        var (exit, output, json) = await _cli.RunAsync("check", "Host=db;Maximum Pool Size=5;Timeout=0");
        exit.ShouldBe(1);
        output.ShouldContain("LG004");
        json!.Value.GetProperty("target").GetString().ShouldBe("(connection string)");
    }

    [Fact]
    public async Task Check_NestedSectionsOneServer_WarnsSeveralPoolsButPasses()
    {
        const string settings = """
            {
              "ConnectionStrings": { "Main": "Host=db;Maximum Pool Size=10;Timeout=3" },
              "Reports": { "ConnectionStrings": { "Db": "Host=db;Maximum Pool Size=5;Timeout=3;Application Name=reports" } }
            }
            """;
        var (exit, _, json) = await _cli.RunAsync("check", _cli.Write("appsettings.json", settings));
        exit.ShouldBe(0);
        RuleIds(json!.Value).ShouldBe(["LG010"]);
        json.Value.GetProperty("warnings").GetInt32().ShouldBe(1);
    }

    [Fact]
    public async Task Check_FleetOverMaxConnections_ExitsOne()
    {
        // 8 instances × 10 = 80 > 50 − 3 reserved.
        var (exit, _, json) = await _cli.RunAsync("check", _cli.Write("appsettings.json", GoodSettings), "--instances", "8", "--max-connections", "50");
        exit.ShouldBe(1);
        RuleIds(json!.Value).ShouldBe(["LG011"]);
        json.Value.GetProperty("options").GetProperty("reserved_connections").GetInt32().ShouldBe(3);
    }

    [Fact]
    public async Task Check_RequestBudgetShorterThanTimeout_ExitsOne()
    {
        var (exit, _, json) = await _cli.RunAsync("check", _cli.Write("appsettings.json", GoodSettings), "--request-budget", "2s");
        exit.ShouldBe(1);
        RuleIds(json!.Value).ShouldBe(["LG005"]);
    }

    [Fact]
    public async Task Check_MissingFile_ExitsOneWithMessage()
    {
        var (exit, output, json) = await _cli.RunAsync("check", _cli.PathFor("nope.json"));
        exit.ShouldBe(1);
        output.ShouldContain("neither an existing file nor a connection string");
        json!.Value.GetProperty("verb").GetString().ShouldBe("check");
        json.Value.GetProperty("error").GetString()!.ShouldContain("neither an existing file");
    }

    [Fact]
    public async Task Check_WithRealServer_ReadsBudgetFromPostgres()
    {
        var server = TestPostgres.ConnectionString;
        // The real server's max_connections (100 by default) cannot fit 1,000 instances of 10.
        var (exit, _, json) = await _cli.RunAsync("check", _cli.Write("appsettings.json", GoodSettings), "--server", server, "--instances", "1000");
        exit.ShouldBe(1);
        var budget = json!.Value.GetProperty("server");
        budget.GetProperty("max_connections").GetInt32().ShouldBeGreaterThan(0);
        json.Value.GetProperty("options").GetProperty("max_connections").GetInt32().ShouldBe(budget.GetProperty("max_connections").GetInt32());
        RuleIds(json.Value).ShouldContain("LG011");

        var (okExit, _, _) = await _cli.RunAsync("check", _cli.Write("appsettings.json", GoodSettings), "--server", server, "--instances", "2");
        okExit.ShouldBe(0);
    }

    [Fact]
    public async Task Check_UnreachableServer_ExitsOne()
    {
        var (exit, output, _) = await _cli.RunAsync("check", _cli.Write("appsettings.json", GoodSettings), "--server", "Host=127.0.0.1;Port=1;Timeout=2;Username=x;Password=y");
        exit.ShouldBe(1);
        output.ShouldContain("cannot read the connection budget");
    }

    [Fact]
    public async Task Main_AsProcess_ReturnsExitCodeOfCheck()
    {
        // The real entry point, as CI would call it.
        var dll = Path.Combine(AppContext.BaseDirectory, "Lifeguard.Cli.dll");
        var psi = new ProcessStartInfo("dotnet", [dll, "check", "Host=db;Min Pool Size=1"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(psi)!;
        var output = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        process.ExitCode.ShouldBe(1);
        output.ShouldContain("LG001");
    }
}
