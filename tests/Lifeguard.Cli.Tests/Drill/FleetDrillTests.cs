using System.Text.Json;
using Lifeguard.Cli.Drill;
using Lifeguard.Cli.Drill.Faults;
using Npgsql;

namespace Lifeguard.Cli.Tests.Drill;

/// <summary>
/// `lifeguard drill --fault fleet --quick` end to end: three real website processes on a real, small PostgreSQL of the
/// drill's own, their pools together over its slots. Without the governor the server refuses connections and every
/// instance's live diagnosis names connection_limit with the fleet's evidence (who holds the slots, the size per
/// instance that fits); with the governor, the same surge: nothing refused, the claims within the budget, no instance
/// told to grow its pool. Run alone with the other drills (Category=Drill).
/// </summary>
[Trait("Category", "Drill")]
[Collection(DrillCollection.Name)]
public sealed class FleetDrillTests
{
    [Fact]
    public async Task QuickFleetDrill_PoolsOverTheSlots_EveryInstanceNamesTheFleet_AndTheGovernorRefusesNothing()
    {
        var cs = Environment.GetEnvironmentVariable("LIFEGUARD_TEST_PG");
        if (cs is null) Assert.Fail("LIFEGUARD_TEST_PG is not set: run through ./test.sh, which starts the test PostgreSQL.");
        var port = new NpgsqlConnectionStringBuilder(cs).Port;
        var output = Path.Combine(Path.GetTempPath(), "lifeguard-drill-fleet-" + Guid.NewGuid().ToString("N"));
        var lines = new List<string>();
        var options = new DrillOptions
        {
            Quick = true,
            Fault = DrillFaults.Fleet,
            PgPort = port,
            PgDataDir = Environment.GetEnvironmentVariable("LIFEGUARD_TEST_PG_DATA"),
            // clear of the test cluster's neighbours (the fleet tests' small cluster is at + 24)
            FleetPgPort = port + 26,
            OutputDirectory = output,
        };

        var report = await DrillServerWatch.RunAsync(cs!, () => new DrillRunner(options, l => { lock (lines) lines.Add(l); }).RunAsync(TestContext.Current.CancellationToken));
        await DrillCommand.WriteReportAsync(report, output, null, TestContext.Current.CancellationToken);
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "drill.json"), TestContext.Current.CancellationToken));
        var root = doc.RootElement;
        string log;
        lock (lines) log = string.Join(Environment.NewLine, lines);

        root.GetProperty("fault").GetString().ShouldBe("fleet");
        root.GetProperty("root_cause").GetProperty("kind").GetString().ShouldBe("connection_limit", log);
        root.GetProperty("root_cause").GetProperty("remedy").GetString()!.ShouldContain("Maximum Pool Size to at most", Case.Sensitive, log);
        root.GetProperty("phases").EnumerateArray().Select(p => p.GetProperty("name").GetString()).ShouldBe(["normal", "fault", "mitigated"], log);
        var fleet = root.GetProperty("fleet");
        fleet.GetProperty("instances").GetInt32().ShouldBe(3);
        var runs = fleet.GetProperty("runs").EnumerateArray().ToList();
        runs.Count.ShouldBe(2);

        // Without the governor: the fault is real, and every instance names the fleet, who holds the slots, the size that fits.
        var without = runs[0];
        without.GetProperty("governor").GetBoolean().ShouldBeFalse();
        without.GetProperty("refused_by_server").GetInt32().ShouldBeGreaterThan(0, log);
        foreach (var i in without.GetProperty("instances").EnumerateArray())
        {
            var text = i.GetRawText() + Environment.NewLine + log;
            i.GetProperty("cause").GetString()!.ShouldContain("connection_limit", Case.Sensitive, text);
            i.GetProperty("fleet_evidence").GetBoolean().ShouldBeTrue(text);
            var evidence = i.GetProperty("evidence").EnumerateArray().Select(e => e.GetString()!).ToList();
            evidence.ShouldContain(e => e.StartsWith("fleet: most slots held by: 'Lifeguard.Website/fleet-", StringComparison.Ordinal), text);
            evidence.ShouldContain(e => e.StartsWith("fleet: a Maximum Pool Size of at most ", StringComparison.Ordinal), text);
        }

        // With the governor, the same surge: nothing refused, claims within the budget, and no instance told to grow its pool.
        var with = runs[1];
        with.GetProperty("governor").GetBoolean().ShouldBeTrue();
        with.GetProperty("refused_by_server").GetInt32().ShouldBe(0, log);
        with.GetProperty("over_budget_samples").GetInt32().ShouldBe(0, log);
        foreach (var i in with.GetProperty("instances").EnumerateArray())
        {
            i.GetProperty("refused").GetInt32().ShouldBe(0, i.GetRawText());
            i.GetProperty("requests").GetInt64().ShouldBeGreaterThan(0, i.GetRawText());
            i.GetProperty("cause").GetString()!.ShouldNotContain("pool_too_small", Case.Sensitive, i.GetRawText());
            i.GetProperty("last_cap").GetInt32().ShouldBeLessThan(fleet.GetProperty("pool_max_per_instance").GetInt32(), i.GetRawText());
        }

        root.GetProperty("comparison").GetProperty("kind").GetString().ShouldBe("fleet_governor");
        root.GetProperty("recovered").GetBoolean().ShouldBeTrue(log);
        var md = await File.ReadAllTextAsync(Path.Combine(output, "drill.md"), TestContext.Current.CancellationToken);
        md.ShouldContain("## The fleet, instance by instance");
        md.ShouldContain("| with the governor |");
        Directory.Delete(output, recursive: true);
    }
}
