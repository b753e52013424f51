using System.Text.Json;
using Lifeguard.Postgres.QueryReview;
using Npgsql;

namespace Lifeguard.Postgres.Tests.QueryReview;

/// <summary>
/// The review on the website's seeded database (2,000,000 orders): a dropped dashboard index is found and the advice is
/// that index, proven with HypoPG and by building it; the indexed dashboard statements and key lookups get no advice.
/// Tests in this class run one after another and each leaves the database with its dashboard index.
/// </summary>
public sealed class ReviewOnSeededDatabaseTests(SeededWebsiteDatabase db, ITestOutputHelper output) : IClassFixture<SeededWebsiteDatabase>
{
    private static QueryReviewOptions AllStatements() => new() { MinCalls = 1, MinMeanMs = 0, Top = 50 };

    [Fact]
    public async Task ReviewAsync_DashboardIndexDropped_FlagsTheScanAndAdvisesTheDroppedIndex()
    {
        db.RequireServer();
        var ct = TestContext.Current.CancellationToken;
        await db.ExecuteAsync("DROP INDEX IF EXISTS orders_workspace_created; DROP INDEX IF EXISTS orders_workspace_id_created_at_idx; ANALYZE orders", ct);
        try
        {
            await db.LoadDashboardsAsync(3, ct);
            var report = await new QueryReviewer(AllStatements(), TimeProvider.System).ReviewAsync(db.ConnectionString, null, ct);
            output.WriteLine(JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
            report.HypopgAvailable.ShouldBeTrue();

            var totals = report.Statements.Single(s => s.Source == "dashboard.totals");
            totals.PlanKind.ShouldBe(PlanKind.Analyzed);
            totals.SeqScans.ShouldBe(["orders"]);
            totals.Findings.Select(f => f.Rule).ShouldContain(PlanRules.SeqScanLargeTable);
            totals.Findings.Select(f => f.Rule).ShouldContain(PlanRules.RowsRemovedByFilter);
            var advice = totals.IndexAdvice.ShouldHaveSingleItem();
            advice.Table.ShouldBe("orders");
            advice.Columns.ShouldBe(["workspace_id", "created_at"]); // exactly the index the migration creates
            advice.Validated.ShouldBe(IndexValidation.Hypopg);
            advice.CostAfter.ShouldBeLessThanOrEqualTo(advice.CostBefore * 0.5);
            advice.Ddl.ShouldBe("CREATE INDEX CONCURRENTLY orders_workspace_id_created_at_idx ON public.orders (workspace_id, created_at);");

            // Every dashboard statement over orders gets the same index.
            foreach (var source in new[] { "dashboard.daily", "dashboard.top_products", "dashboard.recent" })
            {
                var s = report.Statements.Single(x => x.Source == source);
                s.IndexAdvice.ShouldHaveSingleItem().Columns.ShouldBe(["workspace_id", "created_at"], source);
            }

            // The live page's "slowest statements" section, from the same review (generic plans only): it shows the scan and the index.
            using (var page = new PostgresSlowStatementSource(db.ConnectionString, new QueryReviewOptions { Top = 50, MinCalls = 1, MinMeanMs = 0 }, TimeProvider.System))
            {
                var live = await page.ReadAsync(ct);
                var row = live.Statements.Single(x => x.Source == "dashboard.totals");
                row.TopFinding.ShouldNotBeNull().ShouldStartWith(PlanRules.SeqScanLargeTable);
                row.IndexAdvice.ShouldBe(advice.Ddl);
            }

            // The CI gate against the committed baseline: every statement over orders regressed to a sequential scan.
            var baseline = WebsiteBaseline();
            var regressions = PlanBaseline.Compare(baseline, await new QueryReviewer(AllStatements(), TimeProvider.System).PlanAsync(db.ConnectionString, baseline.Select(b => b.Query), ct));
            regressions.Where(r => r.Kind == "seq_scan").Select(r => StatementSource.Tag(r.Query)).Order()
                .ShouldBe(["dashboard.daily", "dashboard.recent", "dashboard.top_products", "dashboard.totals"]);

            // --verify on real data: built in a transaction, timed before and after, rolled back.
            var verified = await new QueryReviewer(new QueryReviewOptions { MinCalls = 1, MinMeanMs = 0, Top = 50, VerifyConnectionString = db.ConnectionString }, TimeProvider.System)
                .ReviewAsync(db.ConnectionString, null, ct);
            var measured = verified.Statements.Single(s => s.Source == "dashboard.totals").IndexAdvice.ShouldHaveSingleItem();
            output.WriteLine($"verify: {measured.MeasuredBeforeMs} ms -> {measured.MeasuredAfterMs} ms ({measured.MeasuredSpeedup}x) {measured.VerifyNote}");
            measured.Validated.ShouldBe(IndexValidation.Measured);
            measured.MeasuredSpeedup!.Value.ShouldBeGreaterThanOrEqualTo(10);
            (await IndexCountAsync(ct)).ShouldBe(1, "--verify rolled its index back (only the primary key is left)");

            // And for real, as advised: the statement gets at least 10x faster in this run.
            var query = totals.Query;
            var before = await ExecutionMsAsync(query, ct);
            await db.ExecuteAsync(advice.Ddl, ct);
            var after = await ExecutionMsAsync(query, ct);
            output.WriteLine($"built: {before} ms -> {after} ms");
            (before / after).ShouldBeGreaterThanOrEqualTo(10);
        }
        finally
        {
            await db.ExecuteAsync("CREATE INDEX IF NOT EXISTS orders_workspace_created ON orders (workspace_id, created_at); DROP INDEX IF EXISTS orders_workspace_id_created_at_idx", ct);
        }
    }

    [Fact]
    public async Task ReviewAsync_IndexedDashboard_GivesNoIndexAdvice()
    {
        db.RequireServer();
        var ct = TestContext.Current.CancellationToken;
        await db.LoadDashboardsAsync(3, ct);
        // Even with no cost floor, no hypothetical index halves the cost of a statement its index already serves.
        var options = AllStatements();
        options.MinCostForAdvice = 0;
        var report = await new QueryReviewer(options, TimeProvider.System).ReviewAsync(db.ConnectionString, null, ct);
        output.WriteLine(JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
        report.HypopgAvailable.ShouldBeTrue();
        foreach (var source in new[] { "dashboard.workspace", "dashboard.totals", "dashboard.daily", "dashboard.top_products", "dashboard.recent" })
        {
            var s = report.Statements.Single(x => x.Source == source);
            s.PlanKind.ShouldBe(PlanKind.Analyzed, source);
            s.IndexAdvice.ShouldBeEmpty(source);
            s.SeqScans.ShouldBeEmpty(source);
        }
        report.Statements.SelectMany(s => s.IndexAdvice).ShouldBeEmpty();
    }

    [Fact]
    public async Task PlanBaseline_WebsiteStatements_NoRegressionAgainstTheCommittedBaseline()
    {
        db.RequireServer();
        var ct = TestContext.Current.CancellationToken;
        await db.LoadDashboardsAsync(3, ct);
        var reviewer = new QueryReviewer(AllStatements(), TimeProvider.System);
        var report = await reviewer.ReviewAsync(db.ConnectionString, null, ct);
        var baseline = WebsiteBaseline();
        // The baseline must keep up with the website: a new or changed dashboard statement needs its line there.
        var known = baseline.Select(b => PlanBaseline.Key(b.Query)).ToHashSet();
        foreach (var s in report.Statements.Where(s => s.Source?.StartsWith("dashboard.", StringComparison.Ordinal) ?? false))
        {
            known.ShouldContain(PlanBaseline.Key(s.Query), $"{s.Source} is not in QueryReview/Plans/website-baseline.json: record it with lifeguard review --json");
        }

        var now = await reviewer.PlanAsync(db.ConnectionString, baseline.Select(b => b.Query), ct);
        now.ShouldAllBe(p => p.Error == null);
        PlanBaseline.Compare(baseline, now).ShouldBeEmpty();
    }

    /// <summary>The website's dashboard statements with their generic plan cost on the seeded database, recorded by `lifeguard review --json`.</summary>
    private static List<PlanSnapshot> WebsiteBaseline()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "QueryReview", "Plans", "website-baseline.json")));
        return doc.RootElement.GetProperty("statements").EnumerateArray()
            .Select(s => new PlanSnapshot(null, s.GetProperty("query").GetString()!, s.GetProperty("plan_cost").GetDouble(),
                s.GetProperty("seq_scans").EnumerateArray().Select(x => x.GetString()!).ToList()))
            .ToList();
    }

    [Fact]
    public async Task ReviewAsync_UnusedAndDuplicateIndexes_ReportedWithSize()
    {
        db.RequireServer();
        var ct = TestContext.Current.CancellationToken;
        // The dashboards use their index; then a status index nothing uses, and a workspace_id index the dashboard's
        // (workspace_id, created_at) already serves.
        await db.LoadDashboardsAsync(3, ct);
        await db.ExecuteAsync("CREATE INDEX orders_status ON orders (status); CREATE INDEX orders_workspace ON orders (workspace_id)", ct);
        try
        {
            var report = await new QueryReviewer(AllStatements(), TimeProvider.System).ReviewAsync(db.ConnectionString, null, ct);
            var names = report.UnusedIndexes.Select(u => u.Index).ToList();
            names.ShouldNotContain("orders_workspace_created"); // used by every dashboard
            names.ShouldNotContain("orders_pkey"); // a constraint, never "unused"
            var unused = report.UnusedIndexes.Single(u => u.Index == "orders_status");
            unused.SizeBytes.ShouldBeGreaterThanOrEqualTo(10 * 1024 * 1024);
            unused.Fix.ShouldContain("DROP INDEX CONCURRENTLY public.orders_status");
            // The window the statistics cover, read from pg_stat_database (this test database's were never reset).
            unused.Fix.ShouldContain("No scan used it since the statistics began (never reset");
            var duplicate = report.DuplicateIndexes.ShouldHaveSingleItem();
            duplicate.Index.ShouldBe("orders_workspace");
            duplicate.CoveredBy.ShouldBe("orders_workspace_created");
            duplicate.SizeBytes.ShouldBeGreaterThan(0);
        }
        finally
        {
            await db.ExecuteAsync("DROP INDEX IF EXISTS orders_status; DROP INDEX IF EXISTS orders_workspace", ct);
        }
    }

    private async Task<int> IndexCountAsync(CancellationToken ct)
    {
        await using var c = new NpgsqlConnection(db.ConnectionString);
        await c.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand("SELECT count(*)::int FROM pg_indexes WHERE tablename = 'orders'", c);
        return (int)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Median EXPLAIN ANALYZE execution time of the normalized statement with one workspace's 30-day window.</summary>
    private async Task<double> ExecutionMsAsync(string normalized, CancellationToken ct)
    {
        await using var c = new NpgsqlConnection(db.ConnectionString);
        await c.OpenAsync(ct);
        await using (var prepare = new NpgsqlCommand($"PREPARE measured AS {normalized}", c)) await prepare.ExecuteNonQueryAsync(ct);
        var types = await ScalarAsync<string[]>(c, "SELECT parameter_types::text[] FROM pg_prepared_statements WHERE name = 'measured'", ct);
        var now = SeededWebsiteDatabase.SeededAt;
        // $1 workspace, $2/$3 the window; further $n are the normalized constants ('paid', 'refunded', 0): give them their values.
        string Value(int i) => i switch
        {
            0 => "5",
            1 => $"'{now.AddDays(-29):yyyy-MM-dd}'",
            2 => $"'{now:yyyy-MM-dd HH:mm:ss}+00'",
            _ => types[i] is "text" ? "'paid'" : "0",
        };
        var args = string.Join(", ", types.Select((t, i) => $"{Value(i)}::{t}"));
        var times = new List<double>();
        for (var run = 0; run < 3; run++)
        {
            var json = await ScalarAsync<string>(c, $"EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE measured({args})", ct);
            times.Add(ExplainPlan.Parse(json).ExecutionMs!.Value);
        }
        return times.Order().ElementAt(1);
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection c, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, c);
        return (T)(await cmd.ExecuteScalarAsync(ct))!;
    }
}
