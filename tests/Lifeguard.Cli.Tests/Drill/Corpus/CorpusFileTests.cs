using Lifeguard.Cli.Drill;
using Lifeguard.Cli.Drill.Corpus;
using Lifeguard.Diagnosis;

namespace Lifeguard.Cli.Tests.Drill.Corpus;

/// <summary>The corpus file: the shipped one is complete, a seed is one reproducible run, bad input is named.</summary>
public sealed class CorpusFileTests
{
    private static readonly string Shipped = Path.Combine(Checkout.Find().Root, "bench", "corpus", "corpus.yaml");

    [Fact]
    public void Load_ShippedCorpus_SixtyScenariosAcrossEveryCauseWithControlsMixturesAndHerrings()
    {
        var file = CorpusFile.Load(Shipped);

        file.Scenarios.Count.ShouldBeGreaterThanOrEqualTo(60);
        var faults = file.Scenarios.Where(s => s.Fault != CorpusFaults.None).ToList();
        foreach (var cause in CauseMitigations.Causes.Select(DiagnosisCauses.NameOf))
            faults.Count(s => s.Expect[0] == cause).ShouldBeGreaterThanOrEqualTo(5, cause);
        file.Scenarios.Count(s => s.Fault == CorpusFaults.None).ShouldBeGreaterThanOrEqualTo(10);
        file.Scenarios.ShouldContain(s => s.Fault == CorpusFaults.None && s.Load == CorpusLoads.Busy);
        // The pooler's red herring: a PgBouncer in front, healthy under busy traffic.
        file.Scenarios.ShouldContain(s => s.Fault == CorpusFaults.None && s.Pooler && s.Load == CorpusLoads.Busy);
        faults.Count(s => s.Second is not null).ShouldBeGreaterThanOrEqualTo(4);
        file.Scenarios.Count(s => s.Herring is not null).ShouldBeGreaterThanOrEqualTo(10);
        foreach (var herring in CorpusFaults.Herrings) file.Scenarios.ShouldContain(s => s.Herring == herring, herring);
    }

    [Fact]
    public void Draw_PoolerFaultsAndThePoolerControl_PutAPgBouncerInFrontOfTheSite()
    {
        var drawn = CorpusFile.Load(Shipped).Draw(1, []).ToDictionary(s => s.Name);

        drawn.Values.Where(s => s.Fault.Kind is CorpusFaults.PoolerShrunk or CorpusFaults.PoolerHeld).Count().ShouldBeGreaterThanOrEqualTo(5);
        drawn.Values.Where(s => s.Fault.Kind is CorpusFaults.PoolerShrunk or CorpusFaults.PoolerHeld).ShouldAllBe(s => s.Pooler);
        drawn["control-pooler-busy"].Pooler.ShouldBeTrue();
        drawn["control-busy"].Pooler.ShouldBeFalse();
        drawn["pooler-severe"].Harmful.ShouldContain(DiagnosisCauses.PoolTooSmall);
        drawn["pooler-severe"].Harmful.ShouldContain(DiagnosisCauses.DatabaseUnavailable);
        drawn["pooler-severe"].Description.ShouldContain("through PgBouncer");
    }

    [Fact]
    public void Draw_SameSeed_SameOrderAndIntensities_OnlyDrawsAsTheFullRun()
    {
        var file = CorpusFile.Load(Shipped);

        // What was drawn, in order: every value a run depends on is in the description.
        static List<string> Drawn(IEnumerable<CorpusScenario> run) => [.. run.Select(s => s.Name + ": " + s.Description)];
        var a = file.Draw(7, []);
        var only = file.Draw(7, ["cpu-severe", "network-severe"]);

        Drawn(a).ShouldBe(Drawn(file.Draw(7, [])));
        a.Select(s => s.Name).ShouldNotBe(file.Draw(8, []).Select(s => s.Name));
        only.Count.ShouldBe(2);
        Drawn(only).ShouldBeSubsetOf(Drawn(a));
        var cpu = a.Single(s => s.Name == "cpu-severe").Fault.Intensity;
        cpu.ShouldBeInRange(8, 12);
    }

    [Fact]
    public void Draw_FleetScenarios_InstancesFromIntensityPoolPerInstanceGovernorAndGrowingThePoolHarmful()
    {
        var drawn = CorpusFile.Load(Shipped).Draw(1, []).ToDictionary(s => s.Name);

        var faults = drawn.Values.Where(s => s.Fault.Kind == CorpusFaults.Fleet).ToList();
        faults.Count.ShouldBeGreaterThanOrEqualTo(4);
        faults.ShouldAllBe(s => s.IsFleet && !s.IsControl && s.Expect[0] == DiagnosisCauses.ConnectionLimit && s.Harmful.Contains(DiagnosisCauses.PoolTooSmall) && !s.Pooler);
        faults.ShouldAllBe(s => s.Instances == (int)Math.Round(s.Fault.Intensity) && s.Instances >= 2);
        drawn["fleet-oversubscribed"].Instances.ShouldBe(3);
        drawn["fleet-oversubscribed"].PoolSize.ShouldBe(CorpusFaults.FleetPoolSize);
        drawn["fleet-oversubscribed"].Governor.ShouldBeFalse();
        drawn["fleet-oversubscribed"].Description.ShouldContain("3 instances sharing the fleet's server");
        drawn["fleet-two"].PoolSize.ShouldBe(10);
        drawn["fleet-surge"].Instances.ShouldBe(3);

        var governed = drawn["control-fleet-governed"];
        governed.IsControl.ShouldBeTrue();
        governed.IsFleet.ShouldBeTrue();
        governed.Instances.ShouldBe(3);
        governed.Governor.ShouldBeTrue();
        governed.Expect.ShouldBe([DiagnosisCauses.Healthy]);
        governed.Harmful.ShouldContain(DiagnosisCauses.ConnectionLimit);
        governed.Description.ShouldContain("the fleet governor on");
        // A single site stays a single site.
        drawn["control-busy"].IsFleet.ShouldBeFalse();
        drawn["control-busy"].PoolSize.ShouldBe(10);
    }

    [Theory]
    [InlineData("- { name: f, fault: fleet, intensity: 1, expect: [connection_limit] }", "scenario 'f': a fleet's intensity is its number of instances")]
    [InlineData("- { name: f, fault: fleet, intensity: 7, expect: [connection_limit] }", "whole numbers within 2..6")]
    [InlineData("- { name: f, fault: fleet, intensity: 2.5, expect: [connection_limit] }", "whole numbers within 2..6")]
    [InlineData("- { name: f, fault: fleet, intensity: \"2..9\", expect: [connection_limit] }", "(got '2..9')")]
    [InlineData("- { name: f, fault: fleet, intensity: many, expect: [connection_limit] }", "not a number or a range")]
    [InlineData("- { name: f, fault: lock, fleet: 3, expect: [lock_contention] }", "fleet: N is a control's fleet")]
    [InlineData("- { name: f, fault: none, fleet: 9, expect: [healthy] }", "fleet must be within 2..6")]
    [InlineData("- { name: f, fault: none, governor: true, expect: [healthy] }", "scenario 'f': governor needs a fleet")]
    [InlineData("- { name: f, fault: fleet, pooler: true, expect: [connection_limit] }", "has no PgBouncer")]
    [InlineData("- { name: f, fault: fleet, second: { fault: pool }, expect: [connection_limit] }", "second fault must be one of")]
    [InlineData("- { name: f, fault: cpu, second: { fault: fleet }, expect: [database_cpu] }", "fleet cannot be a second fault")]
    [InlineData("- { name: f, fault: fleet, herring: host-noise, expect: [connection_limit] }", "takes the herrings")]
    [InlineData("- { name: fleet-x, fault: fleet, instances: 3, expect: [connection_limit] }", "scenario 'fleet-x'")]
    public void Load_BadFleetScenario_ErrorNamesTheScenarioAndWhat(string scenario, string message)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("lifeguard-corpus-").FullName, "c.yaml");
        File.WriteAllText(path, "scenarios:\n  - { name: ok, fault: lock, expect: [lock_contention] }\n  " + scenario + "\n");

        Should.Throw<CliException>(() => CorpusFile.Load(path)).Message.ShouldContain(message);
    }

    [Theory]
    [InlineData("- { name: a, fault: earthquake, expect: [healthy] }", "fault 'earthquake'")]
    [InlineData("- { name: a, fault: lock, expect: [slow] }", "'slow' is not a cause")]
    [InlineData("- { name: a, fault: cpu, intensity: 5..2, expect: [database_cpu] }", "ends below its start")]
    [InlineData("- { name: a, fault: cpu, intensity: lots, expect: [database_cpu] }", "not a number or a range")]
    [InlineData("- { name: a, fault: lock, expect: [] }", "expect lists no cause")]
    [InlineData("- { name: a, fault: lock, colour: red, expect: [lock_contention] }", "colour")]
    [InlineData("- { name: a, fault: lock, colour: red, expect: [lock_contention] }", "scenario 'a'")]
    [InlineData("- { name: a, fault: lock, load: wavy, expect: [lock_contention] }", "load 'wavy'")]
    [InlineData("- { name: a, fault: lock, herring: ghost, expect: [lock_contention] }", "herring 'ghost'")]
    [InlineData("- { name: a, fault: lock, expect: [lock_contention] }\n  - { name: a, fault: cpu, expect: [database_cpu] }", "appears twice")]
    public void Load_BadScenario_ErrorSaysWhat(string scenario, string message)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("lifeguard-corpus-").FullName, "c.yaml");
        File.WriteAllText(path, "scenarios:\n  " + scenario + "\n");

        Should.Throw<CliException>(() => CorpusFile.Load(path)).Message.ShouldContain(message);
    }
}
