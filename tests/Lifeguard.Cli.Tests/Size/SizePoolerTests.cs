using Lifeguard.Configuration;
using Lifeguard.Sizing;

namespace Lifeguard.Cli.Tests.Size;

public sealed class SizePoolerTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Size_BehindPgBouncerIni_JsonHasBothPoolsAsTheAdvisorComputes()
    {
        // The worked example of docs/pooler-checks.md: 4 instances × 50 leases/s × 40 ms, 10 ms transactions,
        // max_client_conn 40, max_connections 30: app pool 5 per instance, pooler pool 4 (arithmetic in TwoQueueSizingAdvisorTests).
        var ini = _cli.Write("pgbouncer.ini", "[databases]\napp = host=db dbname=app\n[pgbouncer]\npool_mode = transaction\nmax_client_conn = 40\n");
        var (exit, output, json) = await _cli.RunAsync(200, TestContext.Current.CancellationToken,
            "size", "--arrival-rate", "50", "--hold-mean-ms", "40", "--instances", "4", "--max-connections", "30",
            "--pooler-config", ini, "--server-hold-mean-ms", "10");

        exit.ShouldBe(0);
        var expected = TwoQueueSizingAdvisor.Recommend(new TwoQueueSizingInput
        {
            Fleet = new PoolSizingInput { ArrivalRatePerSecond = 50, Hold = HoldTimeDistribution.FromMean(TimeSpan.FromMilliseconds(40)), Instances = 4, ServerMaxConnections = 30, ReservedConnections = 3 },
            Mode = PoolerMode.Transaction,
            MaxClientConnections = 40,
            ServerHold = HoldTimeDistribution.FromMean(TimeSpan.FromMilliseconds(10)),
        });
        var t = json!.Value.GetProperty("two_queue");
        t.GetProperty("verdict").GetString().ShouldBe("recommended");
        t.GetProperty("mode").GetString().ShouldBe("transaction");
        t.GetProperty("application_pool_size").GetInt32().ShouldBe(expected.ApplicationPoolSize);
        t.GetProperty("application_pool_size").GetInt32().ShouldBe(5);
        t.GetProperty("pooler_pool_size").GetInt32().ShouldBe(4);
        t.GetProperty("server_offered_load").GetDouble().ShouldBe(2, 1e-9);
        t.GetProperty("client_budget_per_instance").GetInt32().ShouldBe(10);
        t.GetProperty("server_budget_per_pair").GetInt32().ShouldBe(27);
        t.GetProperty("predicted_pooler_wait_ms").GetDouble().ShouldBe(expected.PredictedPoolerWait!.Value.TotalMilliseconds, 1e-6);
        output.ShouldContain("default_pool_size = 4");
        output.ShouldContain("No Reset On Close=true");
    }

    [Fact]
    public async Task Size_ServerTooSmallForThePooler_ExitsTwoWithTheWarning()
    {
        var (exit, output, json) = await _cli.RunAsync(200, TestContext.Current.CancellationToken,
            "size", "--arrival-rate", "50", "--hold-mean-ms", "40", "--instances", "4", "--max-connections", "6",
            "--pooler", "pgbouncer", "--pooler-mode", "transaction", "--pooler-max-client-conn", "40", "--server-hold-mean-ms", "10");
        exit.ShouldBe(2);
        json!.Value.GetProperty("two_queue").GetProperty("pooler_pool_size").GetInt32().ShouldBe(3);
        output.ShouldContain("raise max_connections to 7");
    }

    [Fact]
    public async Task Size_WithoutPooler_HasNoTwoQueue()
    {
        var (_, _, json) = await _cli.RunAsync("size", "--arrival-rate", "50", "--hold-mean-ms", "40");
        json!.Value.GetProperty("two_queue").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
    }

    [Theory]
    [InlineData("--transactions-per-lease", "2", "add --pooler pgbouncer")]
    [InlineData("--server-hold-mean-ms", "5", "add --pooler pgbouncer")]
    public async Task Size_PoolerOnlyFlagWithoutPooler_IsAnError(string flag, string value, string message)
    {
        var (exit, output, _) = await _cli.RunAsync("size", "--arrival-rate", "50", "--hold-mean-ms", "40", flag, value);
        exit.ShouldBe(1);
        output.ShouldContain(message);
    }

    [Theory]
    [InlineData("--pooler-other-clients", "-1", "--pooler-other-clients cannot be negative")]
    [InlineData("--server-hold-mean-ms", "0", "--server-hold-mean-ms and --server-hold-p99-ms must be positive")]
    [InlineData("--pooler-max-client-conn", "0", "--pooler-max-client-conn must be at least 1")]
    public async Task Size_BadPoolerNumber_IsAnError(string flag, string value, string message)
    {
        var (exit, output, _) = await _cli.RunAsync(200, TestContext.Current.CancellationToken, "size", "--arrival-rate", "50", "--hold-mean-ms", "40", "--pooler", "pgbouncer", flag, value);
        exit.ShouldBe(1);
        output.ShouldContain(message);
    }

    [Fact]
    public async Task Size_BadTransactionsPerLease_IsAnError()
    {
        var (exit, output, _) = await _cli.RunAsync("size", "--arrival-rate", "50", "--hold-mean-ms", "40", "--pooler", "pgbouncer", "--transactions-per-lease", "0");
        exit.ShouldBe(1);
        output.ShouldContain("--transactions-per-lease must be positive");
    }
}
