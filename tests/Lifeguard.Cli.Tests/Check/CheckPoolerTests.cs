using System.Text.Json;
using Lifeguard.TestSupport;

namespace Lifeguard.Cli.Tests.Check;

public sealed class CheckPoolerTests : IDisposable
{
    private readonly CliRunner _cli = new();

    // A pgbouncer.ini as a deployment writes it (the shape Debian's package ships, with the settings the rules read).
    private const string Ini = """
        ;; pgbouncer.ini for the website
        [databases]
        lifeguard = host=10.0.0.5 port=5432 dbname=lifeguard

        [pgbouncer]
        logfile = /var/log/postgresql/pgbouncer.log
        pidfile = /var/run/postgresql/pgbouncer.pid
        listen_addr = 127.0.0.1
        listen_port = 6432
        unix_socket_dir = /var/run/postgresql
        auth_type = scram-sha-256
        auth_file = /etc/pgbouncer/userlist.txt
        admin_users = lifeguard
        stats_users = lifeguard
        pool_mode = transaction
        ignore_startup_parameters = extra_float_digits,options
        max_client_conn = 100
        default_pool_size = 20
        reserve_pool_size = 5
        """;

    // Npgsql's defaults behind it: Max Auto Prepare on, No Reset On Close off.
    private const string App = "Host=127.0.0.1;Port=6432;Database=lifeguard;Username=lifeguard;Password=secret;Maximum Pool Size=10;Timeout=3;Connection Lifetime=3600;Max Auto Prepare=20";

    public void Dispose() => _cli.Dispose();

    private static string[] RuleIds(JsonElement json) =>
        json.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("rule_id").GetString()!).ToArray();

    [Fact]
    public async Task Check_ConnectionStringBehindPgBouncerIni_FindsEveryPoolerProblemWithNumbers()
    {
        var ini = _cli.Write("pgbouncer.ini", Ini);
        // 12 instances × 10 = 120 > max_client_conn 100; (20 + 5) = 25 server connections > 24 − 3 = 21 usable.
        var (exit, output, json) = await _cli.RunAsync(160, TestContext.Current.CancellationToken,
            "check", App, "--pooler-config", ini, "--pooler-version", "1.18", "--instances", "12", "--server-max-connections", "24");

        exit.ShouldBe(1);
        RuleIds(json!.Value).ShouldBe(["LG015", "LG017", "LG018", "LG014"]);
        var pooler = json.Value.GetProperty("pooler");
        pooler.GetProperty("mode").GetString().ShouldBe("transaction");
        pooler.GetProperty("version").GetString().ShouldBe("1.18");
        pooler.GetProperty("max_client_conn").GetInt32().ShouldBe(100);
        pooler.GetProperty("maximum_server_connections").GetInt64().ShouldBe(25);
        json.Value.GetProperty("pools")[0].GetProperty("max_auto_prepare").GetInt32().ShouldBe(20);
        var fixes = json.Value.GetProperty("findings").EnumerateArray().ToDictionary(f => f.GetProperty("rule_id").GetString()!, f => f.GetProperty("fix").GetString()!);
        fixes["LG017"].ShouldStartWith("Set max_client_conn to at least 120");
        fixes["LG018"].ShouldStartWith("Set default_pool_size (and each pool_size) to at most 16 with the reserve"); // 21 / 1 pair − 5 reserve
        output.ShouldContain("Pooler: pgbouncer 1.18, pool_mode transaction");
        json.Value.GetRawText().ShouldNotContain("secret");

        // The fixes applied: it passes.
        var fixedApp = App.Replace("Max Auto Prepare=20", "Max Auto Prepare=0;No Reset On Close=true", StringComparison.Ordinal);
        var (okExit, _, okJson) = await _cli.RunAsync("check", fixedApp, "--pooler-config", ini, "--pooler-version", "1.18", "--instances", "8", "--max-connections", "40");
        okExit.ShouldBe(0);
        RuleIds(okJson!.Value).ShouldBeEmpty();
    }

    [Fact]
    public async Task Check_Port6432WithoutPooler_WarnsToDeclareIt()
    {
        var (exit, _, json) = await _cli.RunAsync("check", App);
        exit.ShouldBe(0);
        RuleIds(json!.Value).ShouldBe(["LG013"]);
        json.Value.GetProperty("pooler").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task Check_SourcesWithSessionState_ReportsWhereAndHowToFix()
    {
        var src = Directory.CreateDirectory(_cli.PathFor("src")).FullName;
        File.WriteAllText(Path.Combine(src, "Locks.cs"), "class Locks {\n  const string Take = \"SELECT pg_advisory_lock(@key)\";\n}\n");
        File.WriteAllText(Path.Combine(src, "schema.sql"), "UPDATE t\n   SET a = 1;\n");
        var app = App.Replace("Max Auto Prepare=20", "No Reset On Close=true", StringComparison.Ordinal);

        var (exit, output, json) = await _cli.RunAsync(200, TestContext.Current.CancellationToken, "check", app, "--pooler", "pgbouncer", "--pooler-mode", "transaction", "--sources", src);

        exit.ShouldBe(0); // a warning: the scan reads text, it cannot prove the lock is taken through the pooler
        RuleIds(json!.Value).ShouldBe(["LG016"]);
        json.Value.GetProperty("session_state_uses").GetInt32().ShouldBe(1);
        json.Value.GetProperty("findings")[0].GetProperty("subject").GetString().ShouldBe("Locks.cs:2");
        output.ShouldContain("pg_advisory_xact_lock");
    }

    [Fact]
    public async Task Check_PoolerAdmin_ReadsTheSettingsFromARunningPgBouncer()
    {
        await using var bouncer = await TestPgBouncer.StartAsync("transaction", "max_client_conn = 30\ndefault_pool_size = 4");
        var app = $"Host=127.0.0.1;Port={bouncer.Port};Database=lifeguard;Maximum Pool Size=10;Timeout=3;Connection Lifetime=3600;No Reset On Close=true;Max Auto Prepare=20";

        // 4 instances × 10 = 40 > max_client_conn 30; Debian's PgBouncer 1.18 does not track prepared statements.
        var (exit, _, json) = await _cli.RunAsync("check", app, "--pooler-admin", bouncer.AdminConnectionString, "--instances", "4");

        exit.ShouldBe(1);
        var pooler = json!.Value.GetProperty("pooler");
        pooler.GetProperty("source").GetString()!.ShouldStartWith("admin console");
        pooler.GetProperty("mode").GetString().ShouldBe("transaction");
        pooler.GetProperty("max_client_conn").GetInt32().ShouldBe(30);
        pooler.GetProperty("pair_pool_sizes").EnumerateArray().Select(e => e.GetInt32()).ShouldBe([4]);
        var version = Version.Parse(pooler.GetProperty("version").GetString()!);
        RuleIds(json.Value).ShouldContain("LG017");
        if (version < new Version(1, 21)) RuleIds(json.Value).ShouldContain("LG015");
        json.Value.GetRawText().ShouldNotContain(bouncer.AdminConnectionString);
    }

    [Theory]
    [InlineData("--pooler-mode", "sessions", "--pooler-mode")]
    [InlineData("--pooler-pool-size", "0", "--pooler-pool-size must be at least 1")]
    [InlineData("--pooler-version", "one", "--pooler-version")]
    [InlineData("--pooler", "pgcat", "--pooler: 'pgcat' is not known")]
    [InlineData("--pooler-config", "/nonexistent/pgbouncer.ini", "does not exist")]
    [InlineData("--pooler-reserve-pool", "-1", "--pooler-reserve-pool cannot be negative")]
    [InlineData("--sources", "/nonexistent/src", "--sources")]
    public async Task Check_BadPoolerFlag_IsOneErrorLineAndExitOne(string flag, string value, string message)
    {
        var (exit, output, json) = await _cli.RunAsync("check", App, flag, value);
        exit.ShouldBe(1);
        output.ShouldContain("error: ");
        output.ShouldContain(message);
        json!.Value.GetProperty("error").GetString().ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public async Task Check_PoolerConfigWithBadValue_NamesTheKey()
    {
        var ini = _cli.Write("pgbouncer.ini", "[pgbouncer]\npool_mode = transactions\n");
        var (exit, output, _) = await _cli.RunAsync(200, TestContext.Current.CancellationToken, "check", App, "--pooler-config", ini);
        exit.ShouldBe(1);
        output.ShouldContain("error: --pooler-config:");
        output.ShouldContain("pool_mode 'transactions' is not session, transaction or statement");
    }

    [Fact]
    public async Task Check_PoolerConfigAndAdminTogether_IsAnError()
    {
        var (exit, output, _) = await _cli.RunAsync("check", App, "--pooler-config", _cli.Write("pgbouncer.ini", Ini), "--pooler-admin", "Host=127.0.0.1;Port=6432");
        exit.ShouldBe(1);
        output.ShouldContain("either --pooler-config or --pooler-admin");
    }

    [Fact]
    public async Task Check_UnreachablePoolerAdmin_ExitsOneWithPsqlsReason()
    {
        var (exit, output, _) = await _cli.RunAsync(200, TestContext.Current.CancellationToken, "check", App, "--pooler-admin", "Host=127.0.0.1;Port=1;Username=x;Password=y;Timeout=2");
        exit.ShouldBe(1);
        output.ShouldContain("--pooler-admin: cannot read the pooler's settings");
    }

    [Theory]
    [InlineData("check")]
    [InlineData("size")]
    public void Help_ListsThePoolerFlags(string verb)
    {
        var writer = new StringWriter();
        CliApp.Build(Spectre.Console.AnsiConsole.Console).Parse([verb, "--help"]).Invoke(new System.CommandLine.InvocationConfiguration { Output = writer }).ShouldBe(0);
        var output = writer.ToString();
        var flags = verb == "check"
            ? new[] { "--pooler ", "--pooler-config", "--pooler-admin", "--pooler-mode", "--pooler-version", "--pooler-max-client-conn", "--pooler-pool-size", "--pooler-pairs", "--pooler-max-prepared-statements", "--sources", "--server-max-connections" }
            : new[] { "--pooler ", "--pooler-config", "--pooler-admin", "--pooler-mode", "--pooler-max-client-conn", "--pooler-pool-size", "--transactions-per-lease", "--server-hold-mean-ms", "--pooler-other-clients" };
        foreach (var flag in flags)
        {
            output.ShouldContain(flag);
        }
    }
}
