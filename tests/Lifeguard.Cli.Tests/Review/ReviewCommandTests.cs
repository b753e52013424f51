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
            output.ShouldContain("review: [1/"); // progress
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
            await ExecAsync(server, $"DROP DATABASE IF EXISTS {name} WITH (FORCE)", ct);
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

    private static async Task ExecAsync(string cs, string sql, CancellationToken ct)
    {
        await using var c = new NpgsqlConnection(cs);
        await c.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(sql, c);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
