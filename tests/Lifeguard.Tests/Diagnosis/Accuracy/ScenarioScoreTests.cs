using Lifeguard.Diagnosis;
using Lifeguard.Diagnosis.Accuracy;

namespace Lifeguard.Tests.Diagnosis.Accuracy;

/// <summary>How one scenario's seconds become its verdict, shares, times and harmful answers. Pure.</summary>
public sealed class ScenarioScoreTests
{
    private static CorpusTraceHeader Header(string kind = CorpusKinds.Fault, string[]? accept = null, string[]? harmful = null) => new()
    {
        Scenario = "s",
        Kind = kind,
        Accept = accept ?? [DiagnosisCauses.LockContention],
        Harmful = harmful ?? [DiagnosisCauses.PoolTooSmall, DiagnosisCauses.LockContention, DiagnosisCauses.ConnectionLimit],
    };

    // "n:healthy f:unknown ..." → one second each, t counting from 0.
    private static List<AnsweredSecond> Seconds(string script) =>
        [.. script.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select((x, i) =>
        {
            var (phase, cause) = (x.Split(':')[0], x.Split(':')[1]);
            return new AnsweredSecond(i, phase switch { "n" => CorpusPhases.Normal, "f" => CorpusPhases.Fault, _ => CorpusPhases.After }, cause, 0.9);
        })];

    [Fact]
    public void Of_RightCauseAfterUnknown_RightWithFirstTimeSharesFlickerAndRecovery()
    {
        var score = ScenarioScore.Of(Header(), Seconds("n:healthy f:healthy f:unknown f:lock_contention f:lock_contention f:lock_contention a:lock_contention a:healthy"));

        score.Verdict.ShouldBe("lock_contention");
        score.Right.ShouldBeTrue();
        score.FirstRightS.ShouldBe(2);
        score.FaultSeconds.ShouldBe(5);
        score.RightShare.ShouldBe(0.6);
        score.UnknownShare.ShouldBe(0.2);
        score.MissedShare.ShouldBe(0.2);
        score.WrongShare.ShouldBe(0);
        score.Flicker.ShouldBe(2);
        score.BackToHealthyS.ShouldBe(2); // from the last fault-second
        score.Harmful.ShouldBeFalse();
    }

    [Fact]
    public void Of_WrongCauseNamedMost_WrongAndHarmfulWhenItsRemedyHurts()
    {
        var score = ScenarioScore.Of(Header(accept: [DiagnosisCauses.SlowQueries]), Seconds("n:healthy f:pool_too_small f:pool_too_small f:slow_queries a:healthy"));

        score.Verdict.ShouldBe("pool_too_small");
        score.Right.ShouldBeFalse();
        score.Harmful.ShouldBeTrue();
        score.HarmfulSeconds.ShouldBe(2);
        score.HarmfulCauses.ShouldBe(["pool_too_small"]);
        score.FirstRightS.ShouldBe(2);
    }

    [Fact]
    public void Of_HarmfulCauseThatIsAcceptable_IsNotHarmful()
    {
        var score = ScenarioScore.Of(Header(accept: [DiagnosisCauses.PoolTooSmall]), Seconds("f:pool_too_small f:pool_too_small"));

        score.Right.ShouldBeTrue();
        score.Harmful.ShouldBeFalse();
    }

    [Fact]
    public void Of_NothingNamed_VerdictIsHealthyOrUnknownWhicheverHeldLonger()
    {
        ScenarioScore.Of(Header(), Seconds("f:healthy f:healthy f:unknown")).Verdict.ShouldBe("healthy");
        ScenarioScore.Of(Header(), Seconds("f:unknown f:unknown f:healthy")).Verdict.ShouldBe("unknown");
        ScenarioScore.Of(Header(accept: [DiagnosisCauses.LockContention, DiagnosisCauses.Healthy]), Seconds("f:healthy f:healthy")).Right.ShouldBeTrue();
    }

    [Fact]
    public void Of_Control_HealthyShareOverEverySecond()
    {
        var score = ScenarioScore.Of(Header(CorpusKinds.Control, [DiagnosisCauses.Healthy]), Seconds("n:healthy n:healthy f:healthy f:database_cpu a:healthy"));

        score.HealthyShare.ShouldBe(0.8);
        score.Verdict.ShouldBe("database_cpu");
        score.Right.ShouldBeFalse();
        score.Harmful.ShouldBeFalse(); // database_cpu's remedy (stop the burner) does not hurt the site
    }

    [Fact]
    public void CorpusScore_ConfusionPrecisionRecallAndCalibration()
    {
        var runs = new List<(CorpusTraceHeader, IReadOnlyList<AnsweredSecond>)>
        {
            (Header() with { Scenario = "a" }, Seconds("f:lock_contention f:lock_contention")),
            (Header() with { Scenario = "b" }, Seconds("f:pool_too_small f:pool_too_small")),
            (Header(CorpusKinds.Control, [DiagnosisCauses.Healthy]) with { Scenario = "c" }, Seconds("n:healthy f:healthy")),
        };

        var score = CorpusScore.Of(runs);

        score.FaultScenarios.ShouldBe(2);
        score.FaultScenariosRight.ShouldBe(1);
        score.Accuracy.ShouldBe(0.5);
        score.HarmfulScenarios.ShouldBe(1);
        score.ControlHealthyShare.ShouldBe(1);
        var lockRow = score.Causes.ToList().IndexOf("lock_contention");
        var pool = score.Causes.ToList().IndexOf("pool_too_small");
        score.Confusion[lockRow][lockRow].ShouldBe(1);
        score.Confusion[lockRow][pool].ShouldBe(1);
        var lockCause = score.PerCause.Single(c => c.Cause == "lock_contention");
        lockCause.Recall.ShouldBe(0.5);
        lockCause.Precision.ShouldBe(1);
        // Four seconds named a cause at 0.9: two right.
        score.Calibration.Single(b => b.From == 0.9).ShouldSatisfyAllConditions(b => b.Seconds.ShouldBe(4), b => b.HitRate.ShouldBe(0.5));
    }
}
