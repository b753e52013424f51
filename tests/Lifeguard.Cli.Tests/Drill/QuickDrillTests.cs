using System.Text.Json;
using Lifeguard.Cli.Drill;
using Npgsql;

using Lifeguard.TestSupport;

namespace Lifeguard.Cli.Tests.Drill;

/// <summary>
/// The quick drill end to end on the real PostgreSQL and the real website. test.sh runs it alone
/// (Category=Drill) after the other suites, so its latencies are not those of a machine busy with other tests.
/// </summary>
[Trait("Category", "Drill")]
[Collection(DrillCollection.Name)]
public sealed class QuickDrillTests
{
    [Fact]
    public async Task QuickDrill_MisconfiguredPool_IsDetectedNamedFixedAndRecovered()
    {
        var cs = TestPostgres.ConnectionString;

        var port = new NpgsqlConnectionStringBuilder(cs).Port;
        var output = Path.Combine(Path.GetTempPath(), "lifeguard-drill-" + Guid.NewGuid().ToString("N"));
        var lines = new List<string>();
        var options = new DrillOptions
        {
            Quick = true,
            PgPort = port,
            PgDataDir = TestPostgres.DataDirectory,
            OutputDirectory = output,
        };

        var report = await DrillServerWatch.RunAsync(cs, () => new DrillRunner(options, l => { lock (lines) lines.Add(l); }).RunAsync(TestContext.Current.CancellationToken));
        var json = Path.Combine(output, "drill.json");
        await CliJson.WriteAsync(json, report, TestContext.Current.CancellationToken);
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(json, TestContext.Current.CancellationToken));
        var root = doc.RootElement;
        var log = string.Join(Environment.NewLine, lines);

        var phases = root.GetProperty("phases").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
        var incident = phases["incident"];
        var fixedPhase = phases["fixed"];
        // Bounded, not timed (~45 s quiet, BENCHMARKS.md; a loaded machine slows the site start): catches a drill that hangs.
        root.GetProperty("duration_s").GetDouble().ShouldBeLessThanOrEqualTo(120, "duration " + root.GetProperty("duration_s").GetDouble() + Environment.NewLine + log);
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

        Directory.Delete(output, recursive: true);
    }
}
