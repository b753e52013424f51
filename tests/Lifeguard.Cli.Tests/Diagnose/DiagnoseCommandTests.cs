using Lifeguard.Cli.Drill;
using Lifeguard.Cli.Load;
using Npgsql;

using Lifeguard.TestSupport;

namespace Lifeguard.Cli.Tests.Diagnose;

public sealed class DiagnoseCommandTests
{
    private static string Server() => TestPostgres.ConnectionString;

    [Fact]
    public async Task Diagnose_ServerWithAnIdleTransactionBlockingAnAlter_ExitsThreeNamingTheRootBlockersPid()
    {
        var ct = TestContext.Current.CancellationToken;
        // A database of its own: the other test assemblies build lock queues of their own on the shared test server at the
        // same time, and the diagnosis judges the database it is pointed at.
        var database = "diag_cli_" + Guid.NewGuid().ToString("N")[..8];
        await using (var admin = new NpgsqlConnection(Server()))
        {
            await admin.OpenAsync(ct);
            await using var createDb = new NpgsqlCommand($"CREATE DATABASE {database}", admin);
            await createDb.ExecuteNonQueryAsync(ct);
        }
        try
        {
            await BlockAndDiagnoseAsync(new NpgsqlConnectionStringBuilder(Server()) { Database = database }.ConnectionString, ct);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(Server());
            await admin.OpenAsync(CancellationToken.None);
            await Lifeguard.TestSupport.TestPostgres.DropDatabaseAsync(admin, database);
        }
    }

    private static async Task BlockAndDiagnoseAsync(string cs, CancellationToken ct)
    {
        var table = "diag_cli_" + Guid.NewGuid().ToString("N")[..8];
        await using var blocker = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(cs) { ApplicationName = "diag-cli-blocker", Pooling = false }.ConnectionString);
        await blocker.OpenAsync(ct);
        await using (var create = new NpgsqlCommand($"CREATE TABLE {table} (id int)", blocker)) await create.ExecuteNonQueryAsync(ct);
        await using (var pidCmd = new NpgsqlCommand("SELECT pg_backend_pid()", blocker))
        {
            var pid = (int)(await pidCmd.ExecuteScalarAsync(ct))!;
            await using var tx = await blocker.BeginTransactionAsync(ct);
            await using (var read = new NpgsqlCommand($"SELECT count(*) FROM {table}", blocker, tx)) await read.ExecuteScalarAsync(ct);
            await using var waiter = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(cs) { Pooling = false }.ConnectionString);
            await waiter.OpenAsync(ct);
            var alter = new NpgsqlCommand($"ALTER TABLE {table} ADD COLUMN x int", waiter) { CommandTimeout = 60 }.ExecuteNonQueryAsync(ct);
            await Task.Delay(1500, ct); // past the rule's one-second lock wait

            using var cli = new CliRunner();
            var (exit, output, json) = await cli.RunAsync("diagnose", "--server", cs, "--samples", "5");

            await tx.RollbackAsync(CancellationToken.None);
            await alter;
            exit.ShouldBe(3, output);
            output.ShouldContain("lock_contention");
            output.ShouldContain($"pid {pid}");
            json!.Value.GetProperty("cause").GetString().ShouldBe("lock_contention");
            json.Value.GetProperty("signals").GetProperty("server").GetProperty("root_blocker").GetProperty("pid").GetInt32().ShouldBe(pid);
        }
        await using var drop = new NpgsqlCommand($"DROP TABLE {table}", blocker);
        await drop.ExecuteNonQueryAsync(ct);
    }

    /// <summary>A database of the test's own, dropped after: the diagnosis judges locks and statements per database.</summary>
    private static async Task WithDatabaseAsync(string prefix, Func<string, Task> body, CancellationToken ct)
    {
        var database = prefix + Guid.NewGuid().ToString("N")[..8];
        await using (var admin = new NpgsqlConnection(Server()))
        {
            await admin.OpenAsync(ct);
            await using var createDb = new NpgsqlCommand($"CREATE DATABASE {database}", admin);
            await createDb.ExecuteNonQueryAsync(ct);
        }
        try
        {
            await body(new NpgsqlConnectionStringBuilder(Server()) { Database = database }.ConnectionString);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(Server());
            await admin.OpenAsync(CancellationToken.None);
            await Lifeguard.TestSupport.TestPostgres.DropDatabaseAsync(admin, database);
        }
    }

    [Fact]
    public async Task Diagnose_HealthyServerAlone_ExitsZero()
    {
        var ct = TestContext.Current.CancellationToken;
        // --db-cores: other test assemblies burn this machine's two cores at times; CPU is not what this test is about.
        await WithDatabaseAsync("diag_cli_ok_", async cs =>
        {
            using var cli = new CliRunner();
            var (exit, output, json) = await cli.RunAsync("diagnose", "--server", cs, "--samples", "3", "--db-cores", "64");
            exit.ShouldBe(0, output);
            output.ShouldStartWith("healthy since ");
            json!.Value.GetProperty("cause").GetString().ShouldBe("healthy");
            json.Value.GetProperty("signals").GetProperty("server").GetProperty("reachable").GetBoolean().ShouldBeTrue();
        }, ct);
    }

    [Fact]
    public async Task Diagnose_UrlOfTheRunningWebsite_ExitsZeroWhenHealthyThenThreeNamingTheLockWhileWatching()
    {
        var ct = TestContext.Current.CancellationToken;
        await WithDatabaseAsync("diag_cli_site_", async cs =>
        {
            var repo = Checkout.Find();
            var env = new Dictionary<string, string> { ["ConnectionStrings__Main"] = cs };
            await repo.RunAsync("dotnet", [repo.WebsiteDll, "migrate"], env, ct);
            await repo.RunAsync("dotnet", [repo.WebsiteDll, "seed", "--scale", "0.01"], env, ct);
            var settings = SiteDatabase.SiteSettings();
            settings["Lifeguard__Diagnosis__Postgres__DatabaseCores"] = "64"; // as above: not a CPU test
            await using var site = await SiteProcess.StartAsync(repo, new NpgsqlConnectionStringBuilder(cs) { MaxPoolSize = 4, Timeout = 3 }.ConnectionString, settings, ct);
            var management = site.ManagementUrl.ToString();
            using var cli = new CliRunner();

            // Healthy: exit 0 (the site's first seconds may still be warming up; a healthy answer comes within a few).
            var healthy = await UntilHealthyAsync(cli, "diagnose", "--url", management);
            healthy.Exit.ShouldBe(0, healthy.Output);
            healthy.Json!.Value.GetProperty("cause").GetString().ShouldBe("healthy");

            // The dashboards' table locked by an idle transaction while users keep loading them.
            using var load = new LoadRunner(new LoadOptions { BaseUrl = site.Url, Users = 4, Rate = 20, Duration = TimeSpan.FromSeconds(40) });
            await load.LoginAsync(null, ct);
            using var stopLoad = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var running = load.RunAsync(null, stopLoad.Token);
            await using var blocker = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(cs) { ApplicationName = "diag-cli-report", Pooling = false }.ConnectionString);
            await blocker.OpenAsync(ct);
            int pid;
            await using (var pidCmd = new NpgsqlCommand("SELECT pg_backend_pid()", blocker)) pid = (int)(await pidCmd.ExecuteScalarAsync(ct))!;
            await using var tx = await blocker.BeginTransactionAsync(ct);
            await using (var lockIt = new NpgsqlCommand("LOCK TABLE orders IN ACCESS EXCLUSIVE MODE", blocker, tx)) await lockIt.ExecuteNonQueryAsync(ct);
            try
            {
                // --watch refreshes every second until Ctrl-C (here: cancelled after 12 s); the exit is the last answer's.
                using var ctrlC = CancellationTokenSource.CreateLinkedTokenSource(ct);
                ctrlC.CancelAfter(TimeSpan.FromSeconds(12));
                var (exit, output, json) = await cli.RunAsync(80, ctrlC.Token, "diagnose", "--url", management, "--watch");

                output.Split('\n').Count(l => l.Contains(" since ") && l.Contains("confidence")).ShouldBeGreaterThan(5, output);
                exit.ShouldBe(3, output);
                json!.Value.GetProperty("cause").GetString().ShouldBe("lock_contention", output);
                // The last answer's signals are that second's sample: a second in which the site's blocked statements had
                // just timed out has no waiter, so no root blocker (the cause is held by hysteresis). When there is one, it is ours;
                // the evidence lines below prove the blocker was named while watching.
                var rootBlocker = json.Value.GetProperty("signals").GetProperty("server").GetProperty("root_blocker");
                if (rootBlocker.ValueKind != System.Text.Json.JsonValueKind.Null) rootBlocker.GetProperty("pid").GetInt32().ShouldBe(pid, output);
                // Piped output is 80 columns: every evidence line is still one line, with the pid on it.
                output.Split('\n').ShouldContain(l => l.StartsWith("  - root blocker: pid " + pid.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal) && l.Contains("'diag-cli-report'") && l.Length > 80, output);
            }
            finally
            {
                await tx.RollbackAsync(CancellationToken.None);
                await stopLoad.CancelAsync();
                try { await running; } catch (OperationCanceledException) { }
            }
        }, ct);
    }

    [Fact]
    public async Task Diagnose_BadServerString_ExitsOneWithOneLine()
    {
        using var cli = new CliRunner();
        var (exit, output, _) = await cli.RunAsync(80, TestContext.Current.CancellationToken, "diagnose", "--server", "Host=127.0.0.1;Port=abc");
        exit.ShouldBe(1);
        output.TrimEnd().ShouldStartWith("error: --server: ");
        output.TrimEnd().ShouldNotContain('\n');
    }

    [Fact]
    public async Task Diagnose_JsonPathNotWritable_ExitsOneWithOneLineBeforeAskingAnything()
    {
        using var cli = new CliRunner();
        var (exit, output, _) = await cli.RunAsync(80, TestContext.Current.CancellationToken, "diagnose", "--url", "http://127.0.0.1:9", "--json", "/proc/lifeguard-diagnosis.json");
        exit.ShouldBe(1);
        output.TrimEnd().ShouldStartWith("error: --json: cannot write /proc/lifeguard-diagnosis.json");
        output.TrimEnd().ShouldNotContain('\n'); // one line though longer than 80 columns, and not a crash (was exit 134)
        output.Length.ShouldBeGreaterThan(80);
    }

    [Fact]
    public async Task Diagnose_HealthyServerButJsonPathNotWritable_ExitsOneNamingThePath()
    {
        var ct = TestContext.Current.CancellationToken;
        await WithDatabaseAsync("diag_cli_json_", async cs =>
        {
            using var cli = new CliRunner();
            var (exit, output, _) = await cli.RunAsync(80, ct, "diagnose", "--server", cs, "--samples", "1", "--db-cores", "64", "--json", "/proc/lifeguard-diagnosis.json");
            exit.ShouldBe(1, output);
            output.Split('\n').ShouldContain(l => l.StartsWith("error: --json: cannot write /proc/lifeguard-diagnosis.json", StringComparison.Ordinal), output);
        }, ct);
    }

    [Fact]
    public async Task Diagnose_UnreachableManagementAddress_ExitsOneWithTheReason()
    {
        using var cli = new CliRunner();
        var (exit, output, _) = await cli.RunAsync(80, TestContext.Current.CancellationToken, "diagnose", "--url", "http://127.0.0.1:9");
        exit.ShouldBe(1);
        output.TrimEnd().ShouldStartWith("error: --url: cannot read http://127.0.0.1:9/lifeguard/diagnosis: ");
        output.TrimEnd().ShouldNotContain('\n'); // piped output is 80 columns: the reason stays on the line
        output.TrimEnd().Length.ShouldBeGreaterThan(80);
    }

    [Fact]
    public async Task Diagnose_NeitherUrlNorServer_ExitsOne()
    {
        using var cli = new CliRunner();
        var (exit, output, _) = await cli.RunAsync("diagnose");
        exit.ShouldBe(1);
        output.ShouldContain("exactly one of --url");
    }

    [Fact]
    public async Task Diagnose_AndSize_ManagementAddressWithAToken_SayHowToGiveItAndWorkWithTheTokenFile()
    {
        var ct = TestContext.Current.CancellationToken;
        await WithDatabaseAsync("diag_cli_token_", async cs =>
        {
            var repo = Checkout.Find();
            await repo.RunAsync("dotnet", [repo.WebsiteDll, "migrate"], new Dictionary<string, string> { ["ConnectionStrings__Main"] = cs }, ct);
            var settings = SiteDatabase.SiteSettings();
            settings["Lifeguard__Endpoints__Token"] = "management-token-" + Guid.NewGuid().ToString("N");
            settings["Lifeguard__Diagnosis__Postgres__DatabaseCores"] = "64"; // not a CPU test
            await using var site = await SiteProcess.StartAsync(repo, new NpgsqlConnectionStringBuilder(cs) { MaxPoolSize = 4 }.ConnectionString, settings, ct);
            var management = site.ManagementUrl.ToString();
            using var cli = new CliRunner();
            var right = cli.Write("token", settings["Lifeguard__Endpoints__Token"] + "\n"); // as `echo token > file` leaves it
            var wrong = cli.Write("wrong-token", "not-the-token");

            var none = await cli.RunAsync("diagnose", "--url", management);
            none.Exit.ShouldBe(1, none.Output);
            none.Output.ShouldContain("answered 401: the management address wants its bearer token; give it with --token-file PATH or Lifeguard__Endpoints__Token");

            var bad = await cli.RunAsync("diagnose", "--url", management, "--token-file", wrong);
            bad.Exit.ShouldBe(1, bad.Output);
            bad.Output.ShouldContain("is not the app's");
            bad.Output.ShouldNotContain("not-the-token"); // a token is never printed

            var healthy = await UntilHealthyAsync(cli, "diagnose", "--url", management, "--token-file", right);
            healthy.Exit.ShouldBe(0, healthy.Output);
            healthy.Json!.Value.GetProperty("cause").GetString().ShouldBe("healthy");

            var metrics = new Uri(site.ManagementUrl, "/metrics").ToString();
            var sizeNone = await cli.RunAsync("size", "--metrics-url", metrics, "--window", "1s");
            sizeNone.Exit.ShouldBe(1, sizeNone.Output);
            sizeNone.Output.ShouldContain("answered 401");
            // With the token the scrape succeeds; an idle site then has no load to size from, which is a different error.
            var sizeWith = await cli.RunAsync("size", "--metrics-url", metrics, "--window", "1s", "--token-file", right);
            sizeWith.Output.ShouldNotContain("401", customMessage: sizeWith.Output);
        }, ct);
    }

    [Fact]
    public async Task Diagnose_EmptyOrMissingTokenFile_ExitsOneNamingIt()
    {
        using var cli = new CliRunner();
        var empty = cli.Write("empty", "  \n");
        (await cli.RunAsync("diagnose", "--url", "http://127.0.0.1:1", "--token-file", empty)).Output.ShouldContain("--token-file: " + empty + " is empty");
        var missing = cli.PathFor("missing");
        var (exit, output, _) = await cli.RunAsync("diagnose", "--url", "http://127.0.0.1:1", "--token-file", missing);
        exit.ShouldBe(1);
        output.ShouldContain("--token-file: cannot read");
    }

    // A site's first seconds may still be warming up: a healthy answer (exit 0) comes within a few; the last answer is returned.
    private static async Task<(int Exit, string Output, System.Text.Json.JsonElement? Json)> UntilHealthyAsync(CliRunner cli, params string[] args)
    {
        var answer = await cli.RunAsync(args);
        for (var i = 1; i < 20 && answer.Exit != 0; i++)
        {
            await Task.Delay(500, TestContext.Current.CancellationToken);
            answer = await cli.RunAsync(args);
        }
        return answer;
    }
}
