using System.Text.Json;
using Npgsql;

namespace Lifeguard.Cli.Tests.Review;

/// <summary>`lifeguard review` end to end: bad input, a real database with an unindexed 200,000-row table, and the baseline gate.</summary>
public sealed class ReviewCommandTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Review_NoServer_ExitsOneAndSaysItIsRequired()
    {
        var (exit, output, _) = await _cli.RunAsync("review");
        exit.ShouldBe(1);
        output.ShouldContain("--server CONNSTRING is required");
    }

    [Fact]
    public async Task Review_NotAConnectionString_ExitsOneWithoutEchoingIt()
    {
        var (exit, output, json) = await _cli.RunAsync("review", "--server", "Host=h;Password=s3cret;Bogus Key=1");
        exit.ShouldBe(1);
        output.ShouldContain("--server: not a valid connection string");
        output.ShouldNotContain("s3cret");
        json!.Value.GetProperty("error").GetString()!.ShouldNotContain("s3cret");
    }

    [Theory]
    [InlineData("--top", "0", "--top")]
    [InlineData("--statement-timeout", "soon", "--statement-timeout")]
    [InlineData("--min-mean-ms", "-1", "--min-mean-ms")]
    public async Task Review_BadOption_ExitsOneNamingIt(string option, string value, string named)
    {
        var (exit, output, _) = await _cli.RunAsync("review", "--server", "Host=127.0.0.1;Username=u", option, value);
        exit.ShouldBe(1);
        output.ShouldContain(named);
    }

    [Fact]
    public async Task Review_UnreachableServer_ExitsOneWithTheReason()
    {
        var (exit, output, json) = await _cli.RunAsync("review", "--server", "Host=127.0.0.1;Port=1;Username=u;Password=p;Timeout=2");
        exit.ShouldBe(1);
        output.ShouldContain("cannot review the database");
        json!.Value.GetProperty("verb").GetString().ShouldBe("review");
    }

    [Fact]
    public async Task Review_MissingBaselineFile_ExitsOne()
    {
        var (exit, output, _) = await _cli.RunAsync("review", "--server", "Host=127.0.0.1;Username=u", "--baseline", _cli.PathFor("nope.json"));
        exit.ShouldBe(1);
        output.ShouldContain("--baseline");
    }

    [Theory]
    [InlineData("--top", "-1")]
    [InlineData("--top", "abc")]
    [InlineData("--min-calls", "-5")]
    public async Task Review_NegativeOrNonNumericCount_ExitsOne(string option, string value)
    {
        var (exit, _, _) = await _cli.RunAsync("review", "--server", "Host=127.0.0.1;Username=u", option, value);
        exit.ShouldBe(1);
    }

    [Theory]
    [InlineData("not json at all", "not valid JSON")]
    [InlineData("[1, 2]", "no \"statements\" array")]
    [InlineData("{\"statements\": [{\"query\": 5}]}", "statement 1 has no \"query\" text")]
    [InlineData("{\"statements\": []}", "holds no planned statement, so the gate would check nothing")]
    [InlineData("{\"statements\": [{\"query\": \"SELECT 1\", \"plan_cost\": \"x\"}]}", "holds no planned statement")]
    [InlineData("{\"statements\": [{\"query\": \"SELECT 1\", \"queryid\": 1.5, \"plan_cost\": 8.5, \"seq_scans\": [3]}], \"x\": 1}", "cannot review the database")]
    public async Task Review_CorruptBaseline_ExitsOneWithOneLineAndNoCrash(string content, string expected)
    {
        // The last case is a readable (if odd) baseline: the run gets as far as the unreachable server.
        var baseline = _cli.Write("baseline.json", content);
        var (exit, output, json) = await _cli.RunAsync("review", "--server", "Host=127.0.0.1;Port=1;Username=u;Timeout=2", "--baseline", baseline);
        exit.ShouldBe(1, output);
        output.ShouldContain(expected);
        json!.Value.GetProperty("error").GetString().ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public async Task Review_MarkdownToAnUnwritablePath_ExitsOneBeforeReviewing()
    {
        var file = _cli.Write("a-file", "x");
        // A server that would fail differently proves the path is checked first, before any review work.
        var (exit, output, json) = await _cli.RunAsync("review", "--server", "Host=127.0.0.1;Port=1;Username=u;Timeout=2", "--markdown", Path.Combine(file, "review.md"));
        exit.ShouldBe(1, output);
        output.ShouldContain("--markdown: cannot write");
        output.ShouldNotContain("cannot review the database");
        json!.Value.GetProperty("error").GetString()!.ShouldContain("--markdown");
    }

    [Fact]
    public async Task Review_JsonToAnUnwritablePath_ExitsOneWithOneLine()
    {
        var file = _cli.Write("b-file", "x");
        var writer = new StringWriter();
        var console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings { Out = new Spectre.Console.AnsiConsoleOutput(writer), Ansi = Spectre.Console.AnsiSupport.No });
        console.Profile.Width = 240;
        var exit = await CliApp.RunAsync(["review", "--server", "Host=127.0.0.1;Port=1;Username=u;Timeout=2", "--json", Path.Combine(file, "out.json")], console, TestContext.Current.CancellationToken, new StringWriter());
        exit.ShouldBe(1, writer.ToString());
        writer.ToString().ShouldContain("--json: cannot write");
        writer.ToString().ShouldNotContain("cannot review the database");
    }

    [Fact]
    public async Task Review_DatabaseWithoutPgStatStatements_ExitsOneSayingHowToInstallIt()
    {
        var server = TestPostgres.ConnectionString;
        var ct = TestContext.Current.CancellationToken;
        var name = "review_nopss_" + Guid.NewGuid().ToString("N")[..12];
        // template0 has no extensions: the database a user forgot to CREATE EXTENSION pg_stat_statements in.
        await ExecAsync(server, $"CREATE DATABASE {name} TEMPLATE template0", ct);
        try
        {
            var cs = new NpgsqlConnectionStringBuilder(server) { Database = name, Pooling = false }.ConnectionString;
            var (exit, output, json) = await _cli.RunAsync("review", "--server", cs);
            exit.ShouldBe(1, output);
            output.ShouldContain("pg_stat_statements is not installed");
            output.ShouldContain("CREATE EXTENSION pg_stat_statements");
            json!.Value.GetProperty("error").GetString()!.ShouldContain("pg_stat_statements");
        }
        finally
        {
            await DropAsync(server, name, ct);
        }
    }

    [Fact]
    public async Task Review_SlowQueryAndAWrite_AnalyzeStopsAtTheTimeoutAndTheWriteNeverRuns()
    {
        var server = TestPostgres.ConnectionString;
        var ct = TestContext.Current.CancellationToken;
        var name = "review_safe_" + Guid.NewGuid().ToString("N")[..12];
        await ExecAsync(server, $"CREATE DATABASE {name}", ct);
        var cs = new NpgsqlConnectionStringBuilder(server) { Database = name, Pooling = false }.ConnectionString;
        try
        {
            await ExecAsync(cs, """
                CREATE TABLE t (x int NOT NULL);
                INSERT INTO t SELECT g FROM generate_series(1, 3000) g;
                CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL);
                INSERT INTO counter VALUES (1, 0);
                ANALYZE t, counter;
                """, ct);
            // 9 million pairs that cannot be hashed or merged (<>): a nested loop of about a second, far over 100 ms.
            await ExecAsync(cs, "/* slow.pairs */ SELECT count(*) FROM t a, t b WHERE a.x <> b.x", ct);
            await using (var c = new NpgsqlConnection(cs))
            {
                await c.OpenAsync(ct);
                await using var bump = new NpgsqlCommand("/* counter.bump */ UPDATE counter SET n = n + 1 WHERE id = $1", c) { Parameters = { new() { Value = 1 } } };
                await bump.ExecuteNonQueryAsync(ct);
            }

            var (exit, output, json) = await _cli.RunAsync("review", "--server", cs, "--min-calls", "1", "--min-mean-ms", "0", "--statement-timeout", "100ms");
            exit.ShouldBe(0, output);
            var statements = json!.Value.GetProperty("statements").EnumerateArray().ToList();
            var slow = statements.Single(s => s.GetProperty("source").GetString() == "slow.pairs");
            slow.GetProperty("plan_kind").GetString().ShouldBe("generic"); // the ANALYZE was cancelled, the estimate stays
            slow.GetProperty("analyzed_ms").ValueKind.ShouldBe(JsonValueKind.Null);
            slow.GetProperty("notes").EnumerateArray().Select(n => n.GetString()).ShouldContain(n => n!.Contains("statement_timeout (0.1 s)"));
            var write = statements.Single(s => s.GetProperty("source").GetString() == "counter.bump");
            write.GetProperty("plan_kind").GetString().ShouldBe("generic");
            write.GetProperty("notes").EnumerateArray().Select(n => n.GetString()).ShouldContain("not a read-only query: planned only, never executed.");
            (await ScalarAsync(cs, "SELECT n FROM counter WHERE id = 1", ct)).ShouldBe(1, "the review never ran the UPDATE");

            // The top cut is said, not silent: one reviewed, the rest above the thresholds counted in a note.
            var one = await _cli.RunAsync("review", "--server", cs, "--min-calls", "1", "--min-mean-ms", "0", "--top", "1", "--no-analyze");
            one.Exit.ShouldBe(0, one.Output);
            one.Json!.Value.GetProperty("statements").GetArrayLength().ShouldBe(1);
            one.Json!.Value.GetProperty("notes").EnumerateArray().Select(n => n.GetString()).ShouldContain(n => n!.EndsWith("were not reviewed (top 1 by total time only).", StringComparison.Ordinal));
            one.Output.ShouldContain("blocks hit/read");
        }
        finally
        {
            await DropAsync(server, name, ct);
        }
    }

    [Fact]
    public async Task Review_DefaultThresholds_ReviewsASlowScanRunSixtyTimesAndListsWhatItSkipped()
    {
        // The user's report: a scan run 60 times at tens of ms each was "0 statements above the thresholds" under PgHero's
        // calls >= 100. An index advisor asks where the time goes: with the defaults it is reviewed and its index advised.
        var server = TestPostgres.ConnectionString;
        var ct = TestContext.Current.CancellationToken;
        var name = "review_sixty_" + Guid.NewGuid().ToString("N")[..12];
        await ExecAsync(server, $"CREATE DATABASE {name}", ct);
        var cs = new NpgsqlConnectionStringBuilder(server) { Database = name, Pooling = false }.ConnectionString;
        try
        {
            await ExecAsync(cs, """
                CREATE EXTENSION IF NOT EXISTS pg_stat_statements; CREATE EXTENSION IF NOT EXISTS hypopg;
                CREATE TABLE payments (id bigint PRIMARY KEY, customer_id int NOT NULL, cents bigint NOT NULL);
                INSERT INTO payments SELECT g, g % 50000, g % 997 FROM generate_series(1, 1000000) g;
                ANALYZE payments;
                """, ct);
            await using (var c = new NpgsqlConnection(cs))
            {
                await c.OpenAsync(ct);
                for (var i = 0; i < 60; i++)
                {
                    await using var scan = new NpgsqlCommand("/* report.customer_payments */ SELECT id, cents FROM payments WHERE customer_id = $1", c) { Parameters = { new() { Value = i * 7 } } };
                    await using var reader = await scan.ExecuteReaderAsync(ct);
                    while (await reader.ReadAsync(ct)) { }
                }
                for (var i = 0; i < 2; i++)
                {
                    await using var count = new NpgsqlCommand("/* report.rare */ SELECT count(*) FROM payments", c);
                    await count.ExecuteScalarAsync(ct);
                }
            }

            var (exit, output, json) = await _cli.RunAsync("review", "--server", cs);
            exit.ShouldBe(0, output);
            var scanReview = json!.Value.GetProperty("statements").EnumerateArray().Single(s => s.GetProperty("source").GetString() == "report.customer_payments");
            scanReview.GetProperty("calls").GetInt64().ShouldBe(60);
            var advice = scanReview.GetProperty("index_advice").EnumerateArray().ShouldHaveSingleItem();
            advice.GetProperty("columns").EnumerateArray().Select(x => x.GetString()).ShouldBe(["customer_id"], output);
            // What it did not review is listed with the threshold that left it out.
            var rare = json.Value.GetProperty("skipped").EnumerateArray().Single(s => s.GetProperty("source").GetString() == "report.rare");
            rare.GetProperty("reason").GetString().ShouldBe("ran 2 time(s), under --min-calls 5", output);
            output.ShouldContain("ran 2 time(s), under --min-calls 5");
            json.Value.GetProperty("thresholds").GetProperty("min_total_ms").GetDouble().ShouldBe(1000);
        }
        finally
        {
            await DropAsync(server, name, ct);
        }
    }

    [Fact]
    public async Task Review_UnindexedLookup_ReportsFindingsAndHypopgAdvice_AndTheBaselineGateCatchesADroppedIndex()
    {
        var server = TestPostgres.ConnectionString;
        var ct = TestContext.Current.CancellationToken;
        var name = "review_cli_" + Guid.NewGuid().ToString("N")[..12];
        await ExecAsync(server, $"CREATE DATABASE {name}", ct);
        var cs = new NpgsqlConnectionStringBuilder(server) { Database = name, Pooling = false }.ConnectionString;
        try
        {
            await ExecAsync(cs, """
                CREATE TABLE events (id bigint PRIMARY KEY, account_id int NOT NULL, kind text NOT NULL, created_at timestamptz NOT NULL);
                INSERT INTO events SELECT g, g % 2000, CASE WHEN g % 3 = 0 THEN 'login' ELSE 'view' END, timestamptz '2026-01-01' + g * interval '1 minute'
                FROM generate_series(1, 200000) g;
                ANALYZE events;
                """, ct);
            await RunLookupsAsync(cs, ct);

            // 1. No index on account_id: a seq scan over 200,000 rows, advice (account_id) proven with HypoPG.
            var md = _cli.PathFor("review.md");
            var (exit, output, json) = await _cli.RunAsync("review", "--server", cs, "--min-calls", "1", "--min-mean-ms", "0", "--markdown", md);
            exit.ShouldBe(0, output);
            _cli.Progress.ShouldContain("review: [1/"); // progress, on stderr
            output.ShouldNotContain("review: [1/"); // stdout is the report
            var lookup = Lookup(json!.Value);
            lookup.GetProperty("queryid").ValueKind.ShouldBe(JsonValueKind.Number);
            lookup.GetProperty("calls").GetInt64().ShouldBeGreaterThanOrEqualTo(5);
            lookup.GetProperty("mean_ms").GetDouble().ShouldBeGreaterThan(0);
            lookup.GetProperty("total_ms").GetDouble().ShouldBeGreaterThan(0);
            lookup.GetProperty("plan_kind").GetString().ShouldBe("analyzed");
            lookup.GetProperty("source").GetString().ShouldBe("events.by_account");
            var rules = lookup.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("rule").GetString()).ToList();
            rules.ShouldContain("seq_scan_large_table");
            var finding = lookup.GetProperty("findings")[0];
            foreach (var field in new[] { "rule", "node", "detail", "fix" }) finding.GetProperty(field).GetString().ShouldNotBeNullOrEmpty();
            var advice = lookup.GetProperty("index_advice").EnumerateArray().ShouldHaveSingleItem();
            advice.GetProperty("table").GetString().ShouldBe("events");
            // Equality first, then the sort key: the index serves WHERE account_id = $1 ORDER BY created_at DESC LIMIT 20 without a sort.
            advice.GetProperty("columns").EnumerateArray().Select(c => c.GetString()).ShouldBe(["account_id", "created_at"]);
            advice.GetProperty("ddl").GetString().ShouldBe("CREATE INDEX CONCURRENTLY events_account_id_created_at_idx ON public.events (account_id, created_at);");
            advice.GetProperty("cost_after").GetDouble().ShouldBeLessThanOrEqualTo(advice.GetProperty("cost_before").GetDouble() / 2);
            advice.GetProperty("validated").GetString().ShouldBe("hypopg");
            advice.GetProperty("measured_speedup").ValueKind.ShouldBe(JsonValueKind.Null);
            // The setup's INSERT ... timestamptz '2026-01-01' is normalized to "timestamptz $6", which does not parse; the review
            // repairs it to the cast it meant and gets further, to generate_series($8, $9), whose types PostgreSQL cannot infer.
            var insert = json.Value.GetProperty("statements").EnumerateArray().Single(s => s.GetProperty("query").GetString()!.StartsWith("INSERT INTO events", StringComparison.Ordinal));
            insert.GetProperty("plan_kind").GetString().ShouldBe("none");
            insert.GetProperty("notes")[0].GetString().ShouldNotBeNull().ShouldContain("generate_series");
            File.ReadAllText(md).ShouldContain("CREATE INDEX CONCURRENTLY events_account_id_created_at_idx");
            // Piped (80 columns, as in a CI log), the advised DDL is still one line to copy: never split by wrapping.
            var piped = await _cli.RunAsync(80, ct, "review", "--server", cs, "--min-calls", "1", "--min-mean-ms", "0", "--no-analyze");
            piped.Output.Split('\n').ShouldContain(l => l.Contains("CREATE INDEX CONCURRENTLY events_account_id_created_at_idx ON public.events (account_id, created_at);", StringComparison.Ordinal), piped.Output);

            // 1b. --verify on the same database: the index is built in a transaction, timed, rolled back; progress says so.
            var verified = await _cli.RunAsync("review", "--server", cs, "--min-calls", "1", "--min-mean-ms", "0", "--verify", cs);
            verified.Exit.ShouldBe(0, verified.Output);
            _cli.Progress.ShouldContain("verify: built in");
            var measured = Lookup(verified.Json!.Value).GetProperty("index_advice").EnumerateArray().ShouldHaveSingleItem();
            measured.GetProperty("validated").GetString().ShouldBe("measured", verified.Output);
            measured.GetProperty("measured_speedup").GetDouble().ShouldBeGreaterThan(1);
            (await ScalarAsync(cs, "SELECT count(*) FROM pg_indexes WHERE tablename = 'events'", ct)).ShouldBe(1, "rolled back: only the primary key");

            // 2. Indexed as advised, the baseline is recorded; the same plans pass the gate.
            await ExecAsync(cs, "CREATE INDEX events_account_id_created_at_idx ON events (account_id, created_at); ANALYZE events", ct);
            var indexed = await _cli.RunAsync("review", "--server", cs, "--min-calls", "1", "--min-mean-ms", "0");
            indexed.Exit.ShouldBe(0, indexed.Output);
            Lookup(indexed.Json!.Value).GetProperty("index_advice").GetArrayLength().ShouldBe(0);
            var baseline = _cli.Write("baseline.json", indexed.Json!.Value.GetRawText());
            var pass = await _cli.RunAsync("review", "--server", cs, "--min-calls", "1", "--min-mean-ms", "0", "--baseline", baseline);
            pass.Exit.ShouldBe(0, pass.Output);
            pass.Output.ShouldContain("baseline gate passed");

            // 3. Someone drops the index: the gate exits 1 and names the statement.
            await ExecAsync(cs, "DROP INDEX events_account_id_created_at_idx", ct);
            var fail = await _cli.RunAsync("review", "--server", cs, "--min-calls", "1", "--min-mean-ms", "0", "--baseline", baseline);
            fail.Exit.ShouldBe(1, fail.Output);
            fail.Output.ShouldContain("baseline gate failed");
            var regressions = fail.Json!.Value.GetProperty("regressions").EnumerateArray().ToList();
            regressions.ShouldContain(r => r.GetProperty("kind").GetString() == "seq_scan" && r.GetProperty("query").GetString()!.Contains("events.by_account"));
            regressions.ShouldContain(r => r.GetProperty("kind").GetString() == "cost");
            fail.Json!.Value.GetProperty("passed").GetBoolean().ShouldBeFalse();
        }
        finally
        {
            await DropAsync(server, name, ct);
        }
    }

    private static JsonElement Lookup(JsonElement report) =>
        report.GetProperty("statements").EnumerateArray().Single(s => s.GetProperty("query").GetString()!.Contains("events.by_account", StringComparison.Ordinal));

    private static async Task RunLookupsAsync(string cs, CancellationToken ct)
    {
        await using var c = new NpgsqlConnection(cs);
        await c.OpenAsync(ct);
        for (var i = 0; i < 5; i++)
        {
            await using var cmd = new NpgsqlCommand("/* events.by_account */ SELECT id, kind, created_at FROM events WHERE account_id = $1 ORDER BY created_at DESC LIMIT 20", c)
            {
                Parameters = { new() { Value = 17 + i } },
            };
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) { }
        }
    }

    private static async Task<int> ScalarAsync(string cs, string sql, CancellationToken ct)
    {
        await using var c = new NpgsqlConnection(cs);
        await c.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(sql, c);
        return Convert.ToInt32(await cmd.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task DropAsync(string server, string name, CancellationToken ct)
    {
        await using var c = new NpgsqlConnection(server);
        await c.OpenAsync(ct);
        await Lifeguard.TestSupport.TestPostgres.DropDatabaseAsync(c, name);
    }

    private static async Task ExecAsync(string cs, string sql, CancellationToken ct)
    {
        await using var c = new NpgsqlConnection(cs);
        await c.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(sql, c);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
