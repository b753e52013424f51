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
}
