using System.Text.Json;
using Lifeguard.Contracts;
using Lifeguard.Diagnosis;
using Lifeguard.Diagnosis.Accuracy;

namespace Lifeguard.Tests.Diagnosis;

/// <summary>
/// The accuracy corpus (bench/corpus/corpus.yaml) as recorded live from the real website and PostgreSQL
/// (`lifeguard drill --corpus`, traces in Diagnosis/Corpus), replayed through today's rules: a rule change that names
/// fewer fault scenarios right, gives more harmful answers or reads the healthy controls less healthy than the
/// committed baseline fails here, with the scenarios it broke. Pure: no server, a second or two.
/// </summary>
public sealed class CorpusReplayTests
{
    private static readonly string Directory = Path.Combine(AppContext.BaseDirectory, "Diagnosis", "Corpus");

    private static CorpusBaseline Baseline() =>
        JsonSerializer.Deserialize<CorpusBaseline>(File.ReadAllText(Path.Combine(Directory, "baseline.json")), ContractJson.Options)!;

    private static CorpusScore Replay() =>
        CorpusScore.Of([.. CorpusTrace.ReadAll(Directory).Select(t => (t.Header, CorpusReplay.Replay(t)))]);

    [Fact]
    public void Replay_WholeCorpus_NoRegressionAgainstTheBaseline()
    {
        var score = Replay();
        var baseline = Baseline();

        score.FaultScenarios.ShouldBe(baseline.FaultScenarios, "the corpus's traces changed: record them again and rewrite the baseline (docs/accuracy.md)");
        baseline.Regressions(score).ShouldBeEmpty();
    }

    [Fact]
    public void Replay_WholeCorpus_CoversEveryCauseWithControls()
    {
        var traces = CorpusTrace.ReadAll(Directory);

        traces.Count.ShouldBeGreaterThanOrEqualTo(60);
        var expected = traces.Where(t => !t.Header.IsControl).Select(t => t.Header.Accept[0]).ToHashSet();
        foreach (var cause in CauseMitigations.Causes.Select(DiagnosisCauses.NameOf))
            expected.ShouldContain(cause);
        traces.Count(t => t.Header.IsControl).ShouldBeGreaterThanOrEqualTo(10);
        traces.ShouldAllBe(t => t.Seconds.Any(s => s.Phase == CorpusPhases.Fault) && t.Seconds.Any(s => s.Signals != null));
    }

    [Fact]
    public void Replay_BaselineItself_IsNotBelowWhatTheRulesAchieve()
    {
        // A baseline written below the real figures would let a regression through: it is the replay's own, exactly.
        var score = Replay();
        var baseline = Baseline();

        baseline.FaultScenariosRight.ShouldBe(score.FaultScenariosRight, "rules improved: rewrite the baseline (lifeguard drill --replay ... --write-baseline)");
        baseline.HarmfulScenarios.ShouldBe(score.HarmfulScenarios);
    }
    [Fact]
    public void Replay_FleetScenarios_NameConnectionLimitWithTheFleetsEvidenceFromTheRecordedRegistry()
    {
        // A fleet scenario's trace is its first instance's; the registry's reading (every instance's pool, slots and
        // refused opens) is inside its recorded signals, so the replay judges the fleet as the live site did.
        // By what the runner did, not by the registry alone: a single site's trace may hold the previous scenario's site
        // in the registry for a few seconds, until its row expires.
        var fleets = CorpusTrace.ReadAll(Directory).Where(t => t.Header.Description.Contains("sharing the fleet's server", StringComparison.Ordinal)
            && t.Seconds.Any(s => s.Signals?.Server?.Fleet is { Instances.Count: > 1 })).ToList();
        var faults = fleets.Where(t => !t.Header.IsControl).ToList();

        faults.Count.ShouldBeGreaterThanOrEqualTo(4);
        foreach (var trace in faults)
        {
            var score = ScenarioScore.Of(trace.Header, CorpusReplay.Replay(trace));
            score.Verdict.ShouldBe(DiagnosisCauses.ConnectionLimit, trace.Header.Scenario);
            score.Harmful.ShouldBeFalse(trace.Header.Scenario);
            trace.Header.Harmful.ShouldContain(DiagnosisCauses.PoolTooSmall);

            var diagnoser = new Diagnoser();
            var evidence = trace.Seconds.Where(s => s.Signals is not null).Select(s => (s.Phase, Report: diagnoser.Observe(s.Signals!)))
                .Where(x => x.Phase == CorpusPhases.Fault && x.Report.Cause == DiagnosisCause.ConnectionLimit)
                .SelectMany(x => x.Report.Evidence).ToList();
            evidence.ShouldContain(e => e.Contains("oversubscribe the server", StringComparison.Ordinal), trace.Header.Scenario);
            evidence.ShouldContain(e => e.StartsWith("fleet: most slots held by:", StringComparison.Ordinal), trace.Header.Scenario);
        }
        // The governed control: the same kind of fleet with the governor on, read healthy.
        var governed = fleets.Where(t => t.Header.IsControl && t.Seconds.Any(s => s.Signals?.Server?.Fleet?.Governor is not null)).ToList();
        governed.ShouldNotBeEmpty();
        foreach (var trace in governed)
            ScenarioScore.Of(trace.Header, CorpusReplay.Replay(trace)).Verdict.ShouldBe(DiagnosisCauses.Healthy, trace.Header.Scenario);
    }
}
