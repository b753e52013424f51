using Lifeguard.TestSupport;
using Npgsql;

namespace Lifeguard.Cli.Tests.Diagnose;

/// <summary>
/// `lifeguard diagnose --server CS --pooler ADMIN_CS` against a real PgBouncer in front of the test server: the CLI's
/// own diagnosis reads the pooler's console beside the server and names its queue; a bad string or a console that does
/// not answer is one error line.
/// </summary>
public sealed class DiagnosePoolerTests
{
    [Fact]
    public async Task Diagnose_PoolerHeldByAReportJob_ExitsThreeNamingPoolerSaturatedAndTheHolder()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var bouncer = await TestPgBouncer.StartAsync("transaction", "default_pool_size = 2");
        var direct = TestPostgres.ConnectionString;
        var through = new NpgsqlConnectionStringBuilder(direct) { Port = bouncer.Port, NoResetOnClose = true, Pooling = false, CommandTimeout = 120 };
        var application = "diagnose-cli-report-" + Guid.NewGuid().ToString("N")[..6];
        var query = $"SELECT pg_sleep(90) /* {application} */";

        async Task RunAsync(string app, string sql)
        {
            try
            {
                await using var c = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(through.ConnectionString) { ApplicationName = app }.ConnectionString);
                await c.OpenAsync(ct);
                await using var cmd = new NpgsqlCommand(sql, c);
                await cmd.ExecuteNonQueryAsync(ct);
            }
            catch (Exception e) when (e is NpgsqlException or OperationCanceledException)
            {
                // ended by the test on the server
            }
        }

        // A report job holds both server connections of the pool; a client of the application queues behind it.
        var work = Enumerable.Range(0, 2).Select(_ => Task.Run(() => RunAsync(application, query), ct)).ToList();
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
            work.Add(Task.Run(() => RunAsync("diagnose-cli-app", "SELECT 1"), ct));
            using var cli = new CliRunner();
            var (exit, output, json) = await cli.RunAsync("diagnose", "--server", direct, "--pooler", bouncer.AdminConnectionString, "--samples", "7", "--db-cores", "64");

            exit.ShouldBe(3, output);
            output.ShouldStartWith("pooler_saturated since ", Case.Sensitive, output);
            output.ShouldContain("held by a long transaction", Case.Sensitive, output);
            output.ShouldContain($"application '{application}'", Case.Sensitive, output);
            output.ShouldContain("pg_terminate_backend(", Case.Sensitive, output);
            output.ShouldContain("Do not grow the application's pool", Case.Sensitive, output);
            var pooler = json!.Value.GetProperty("signals").GetProperty("pooler");
            pooler.GetProperty("reachable").GetBoolean().ShouldBeTrue();
            pooler.GetProperty("pool_size").GetInt32().ShouldBe(2);
            pooler.GetProperty("clients_waiting").GetInt32().ShouldBeGreaterThan(0);
        }
        finally
        {
            await using var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(direct) { Pooling = false }.ConnectionString);
            await admin.OpenAsync(CancellationToken.None);
            await using var end = new NpgsqlCommand("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1", admin);
            end.Parameters.Add(new NpgsqlParameter { Value = application });
            await end.ExecuteScalarAsync(CancellationToken.None);
            await Task.WhenAll(work);
        }
    }

    [Fact]
    public async Task Diagnose_PoolerWithRoom_ExitsZeroWithThePoolerRead()
    {
        await using var bouncer = await TestPgBouncer.StartAsync("transaction", "default_pool_size = 4");
        using var cli = new CliRunner();
        var (exit, output, json) = await cli.RunAsync("diagnose", "--server", TestPostgres.ConnectionString, "--pooler", bouncer.AdminConnectionString, "--samples", "2", "--db-cores", "64");

        exit.ShouldBe(0, output);
        output.ShouldStartWith("healthy since ");
        json!.Value.GetProperty("signals").GetProperty("pooler").GetProperty("reachable").GetBoolean().ShouldBeTrue(output);
        json.Value.GetProperty("signals").GetProperty("pooler").GetProperty("pool_size").GetInt32().ShouldBe(4);
    }

    [Theory]
    [InlineData("Host=127.0.0.1;Port=abc", "error: --pooler: not a connection string")]
    [InlineData("Host=127.0.0.1;Port=9;Username=admin;Password=x;Timeout=2", "error: --pooler: Cannot reach the pooler's admin console at 127.0.0.1:9")]
    public async Task Diagnose_BadOrUnreachablePooler_ExitsOneWithOneLine(string pooler, string expected)
    {
        using var cli = new CliRunner();
        var (exit, output, _) = await cli.RunAsync(80, TestContext.Current.CancellationToken, "diagnose", "--server", TestPostgres.ConnectionString, "--pooler", pooler);

        exit.ShouldBe(1, output);
        output.TrimEnd().ShouldStartWith(expected, Case.Sensitive, output);
        output.TrimEnd().ShouldNotContain('\n');
    }

    [Fact]
    public async Task Diagnose_PoolerWithUrl_ExitsOneSayingItGoesWithServer()
    {
        using var cli = new CliRunner();
        var (exit, output, _) = await cli.RunAsync("diagnose", "--url", "http://127.0.0.1:9", "--pooler", "Host=127.0.0.1;Port=6432");

        exit.ShouldBe(1, output);
        output.ShouldContain("--pooler goes with --server");
    }
}
