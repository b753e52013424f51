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

        // The incident as the plain quick drill shows it (the replay is one more phase on its own site): detected,
        // named, the advisor's bigger pool, recovered. The pool drill runs once in the suite, here.
        var phases = root.GetProperty("phases").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
        var incident = phases["incident"];
        var fixedPhase = phases["fixed"];
        incident.GetProperty("p99_ms").GetDouble().ShouldBeGreaterThan(5 * fixedPhase.GetProperty("p99_ms").GetDouble(), log);
        incident.GetProperty("pool_wait_p99_ms").GetDouble().ShouldBeGreaterThan(fixedPhase.GetProperty("pool_wait_p99_ms").GetDouble(), log);
        root.GetProperty("root_cause").GetProperty("kind").GetString().ShouldBe("pool_too_small", log);
        root.GetProperty("root_cause").GetProperty("evidence").GetArrayLength().ShouldBeGreaterThan(2, log);
        root.GetProperty("recommended_max_pool_size").GetInt32().ShouldBeGreaterThan(incident.GetProperty("max_pool_size").GetInt32(), log);
        root.GetProperty("recovered").GetBoolean().ShouldBeTrue(log);
        fixedPhase.GetProperty("error_rate").GetDouble().ShouldBeLessThanOrEqualTo(0.01, log);
        root.GetProperty("detected_after_s").GetDouble().ShouldBeLessThan(20, log);
        foreach (var key in new[] { "requests", "errors", "error_rate", "p50_ms", "p99_ms", "share_over_10s", "pool_wait_p99_ms", "max_pool_size" })
        {
            incident.TryGetProperty(key, out _).ShouldBeTrue(key);
        }

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
        // Bounded, not timed (~45 s quiet for the drill, BENCHMARKS.md; a loaded machine slows the site starts): the
        // replay, its own site's start included, adds at most a minute.
        root.GetProperty("comparison_s").GetDouble().ShouldBeLessThanOrEqualTo(60, log);
        root.GetProperty("duration_s").GetDouble().ShouldBeLessThanOrEqualTo(150, log);

        Directory.Delete(output, recursive: true);
    }
}
