using System.Text.Json;
using Lifeguard.Cli.Drill;
using Lifeguard.TestSupport;
using Npgsql;

namespace Lifeguard.Cli.Tests.Drill;

/// <summary>
/// `lifeguard drill --fault pool --admission 1s --quick` end to end on the real PostgreSQL and the real website: the
/// incident runs once as it happened and once more on a site with admission control on, same pool, same traffic. The
/// goal is read from drill.json, with the quick drill's own threshold: slow is 5 s there (its pool timeout is 5 s, not
/// Npgsql's 15 s), 10 s in the full drill.
/// </summary>
[Trait("Category", "Drill")]
[Collection(DrillCollection.Name)]
public sealed class AdmissionDrillTests
{
    [Fact]
    public async Task QuickPoolDrill_WithAdmission_NoRequestSlowTheExcessAnswered503WithRetryAfter()
    {
        var cs = TestPostgres.ConnectionString;
        var output = Path.Combine(Path.GetTempPath(), "lifeguard-drill-admission-" + Guid.NewGuid().ToString("N"));
        var lines = new List<string>();
        var options = new DrillOptions
        {
            Quick = true,
            PgPort = new NpgsqlConnectionStringBuilder(cs).Port,
            PgDataDir = TestPostgres.DataDirectory,
            OutputDirectory = output,
            AdmissionBudget = TimeSpan.FromSeconds(1),
        };

        var report = await DrillServerWatch.RunAsync(cs, () => new DrillRunner(options, l => { lock (lines) lines.Add(l); }).RunAsync(TestContext.Current.CancellationToken));
        await DrillCommand.WriteReportAsync(report, output, null, TestContext.Current.CancellationToken);
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "drill.json"), TestContext.Current.CancellationToken));
        var root = doc.RootElement;
        string log;
        lock (lines) log = string.Join(Environment.NewLine, lines);

        root.GetProperty("root_cause").GetProperty("kind").GetString().ShouldBe("pool_too_small", log);
        var comparison = root.GetProperty("comparison");
        comparison.GetProperty("kind").GetString().ShouldBe("admission_replay", log);
        comparison.GetProperty("slow_threshold_s").GetDouble().ShouldBe(5);
        var runs = comparison.GetProperty("runs").EnumerateArray().ToList();
        runs.Count.ShouldBe(2, log);
        var without = runs[0];
        var with = runs[1];

        // The same incident: same pool, same traffic.
        with.GetProperty("max_pool_size").GetInt32().ShouldBe(without.GetProperty("max_pool_size").GetInt32());
        with.GetProperty("rate_rps").GetDouble().ShouldBe(without.GetProperty("rate_rps").GetDouble());
        without.GetProperty("admission_budget_ms").ValueKind.ShouldBe(JsonValueKind.Null);
        with.GetProperty("admission_budget_ms").GetDouble().ShouldBe(1000);

        // Without admission control users wait in the queue; with it nobody waits that long, and the excess is told to come back.
        without.GetProperty("share_slow").GetDouble().ShouldBeGreaterThan(0, log);
        with.GetProperty("share_slow").GetDouble().ShouldBe(0, log);
        with.GetProperty("admission_rejections").GetInt64().ShouldBeGreaterThan(0, log);
        with.GetProperty("retry_later").GetInt64().ShouldBeGreaterThan(0, log);
        with.GetProperty("requests").GetInt64().ShouldBeGreaterThan(with.GetProperty("retry_later").GetInt64(), log);
        comparison.GetProperty("holds").GetBoolean().ShouldBeTrue(log);

        root.GetProperty("phases").EnumerateArray().Select(p => p.GetProperty("name").GetString())
            .ShouldBe(["normal", "incident", "incident+admission", "fixed"]);
        (await File.ReadAllTextAsync(Path.Combine(output, "drill.md"), TestContext.Current.CancellationToken)).ShouldContain("The incident replayed with admission control");
        // The replay, its own site's start included, adds at most a minute to the quick drill (whose own minute
        // QuickDrillTests holds it to).
        root.GetProperty("comparison_s").GetDouble().ShouldBeLessThanOrEqualTo(60, log);
        root.GetProperty("duration_s").GetDouble().ShouldBeLessThanOrEqualTo(150, log);

        Directory.Delete(output, recursive: true);
    }
}
