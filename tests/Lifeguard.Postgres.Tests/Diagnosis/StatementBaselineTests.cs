using Lifeguard.Postgres.Diagnosis;

namespace Lifeguard.Postgres.Tests.Diagnosis;

/// <summary>Statement slowdowns from cumulative pg_stat_statements counters, one reading a second (frequency 1: timestamps
/// are seconds); no server needed.</summary>
public sealed class StatementBaselineTests
{
    private static readonly PostgresDiagnosisOptions Options = new() { StatementWindowSeconds = 5, StatementReportFactor = 2, StatementMinCalls = 3 };

    private static Dictionary<string, StatementTotals> Totals(params (string Id, long Calls, double TotalMs)[] rows) =>
        rows.ToDictionary(r => r.Id, r => new StatementTotals(r.Calls, r.TotalMs, "SELECT " + r.Id));

    [Fact]
    public void Observe_FirstReading_OnlyStartsTheWindow()
    {
        var baseline = new StatementBaseline(Options);
        var (slowed, perSecond) = baseline.Observe(0, 1, Totals(("a", 100, 100)));
        slowed.ShouldBeEmpty();
        perSecond.ShouldBe(0);
    }

    [Fact]
    public void Observe_SteadyMean_NothingSlowedAndExecutionTimePerSecond()
    {
        var baseline = new StatementBaseline(Options);
        baseline.Observe(0, 1, Totals(("a", 100, 100)));
        var (slowed, perSecond) = baseline.Observe(1, 1, Totals(("a", 110, 110)));
        slowed.ShouldBeEmpty();
        perSecond.ShouldBe(10); // 10 ms of execution in 1 s
    }

    [Fact]
    public void Observe_MeanDoublesAgainstItsMeanSoFar_ReportedWithBaselineAndShare()
    {
        var baseline = new StatementBaseline(Options);
        baseline.Observe(0, 1, Totals(("a", 100, 100), ("b", 100, 100)));
        // a: 10 calls of 3 ms (baseline 1 ms, first seen: its mean so far); b: 10 calls of 1 ms.
        var (slowed, perSecond) = baseline.Observe(1, 1, Totals(("a", 110, 130), ("b", 110, 110)));

        var a = slowed.ShouldHaveSingleItem();
        a.QueryId.ShouldBe("a");
        a.Query.ShouldBe("SELECT a");
        a.RecentMeanMs.ShouldBe(3);
        a.BaselineMeanMs.ShouldBe(1);
        a.CallsPerSecond.ShouldBe(10);
        a.ShareOfExecution.ShouldBe(0.75); // 30 of the 40 ms
        perSecond.ShouldBe(40);
    }

    [Fact]
    public void Observe_TooFewCallsInTheWindow_NotReported()
    {
        var baseline = new StatementBaseline(Options);
        baseline.Observe(0, 1, Totals(("report", 1, 10)));
        // One more run, ten times slower: a report run twice is not "the queries got slower".
        baseline.Observe(1, 1, Totals(("report", 2, 110))).Slowed.ShouldBeEmpty();
    }

    [Fact]
    public void Observe_WhileSlowed_BaselineDoesNotFollow()
    {
        var baseline = new StatementBaseline(Options);
        baseline.Observe(0, 1, Totals(("a", 100, 100)));
        long calls = 100;
        double total = 100;
        for (var t = 1; t <= 20; t++)
        {
            calls += 10;
            total += 50; // 5 ms a call, against 1 ms
            var slowed = baseline.Observe(t, 1, Totals(("a", calls, total))).Slowed;
            slowed.ShouldHaveSingleItem().BaselineMeanMs.ShouldBe(1, $"second {t}");
        }
    }

    [Fact]
    public void Observe_NotSlowed_BaselineMovesATenthOfTheWayToTheRecentMean()
    {
        var baseline = new StatementBaseline(Options);
        baseline.Observe(0, 1, Totals(("a", 100, 100)));
        baseline.Observe(1, 1, Totals(("a", 110, 115))); // mean 1.5 < 2 x 1: baseline 0.9 + 0.15 = 1.05
        // Window 0..2: 20 calls, 35 ms → 1.75 ms; not 2 x 1.05; baseline 0.945 + 0.175 = 1.12.
        baseline.Observe(2, 1, Totals(("a", 120, 135))).Slowed.ShouldBeEmpty();
        // Window 0..3: 30 calls, 35 + 10 x 5 = 85 ms → 2.83 ms ≥ 2 x 1.12: reported against the moved baseline.
        baseline.Observe(3, 1, Totals(("a", 130, 185))).Slowed.ShouldHaveSingleItem().BaselineMeanMs.ShouldBe(1.12);
    }

    [Fact]
    public void Observe_WindowSlides_OldReadingsDropOut()
    {
        var baseline = new StatementBaseline(Options);
        baseline.Observe(0, 1, Totals(("a", 0, 0)));
        for (var t = 1; t <= 10; t++) baseline.Observe(t, 1, Totals(("a", t * 10L, t * 10.0)));
        // Over the last 5 s only: 50 calls, 50 ms → 10 ms/s, whatever happened 10 s ago.
        baseline.Observe(11, 1, Totals(("a", 110, 110))).ExecutionMsPerSecond.ShouldBe(10);
    }

    [Fact]
    public void Observe_StatisticsReset_CountersGoingBackAreIgnored()
    {
        var baseline = new StatementBaseline(Options);
        baseline.Observe(0, 1, Totals(("a", 1000, 1000)));
        var (slowed, perSecond) = baseline.Observe(1, 1, Totals(("a", 5, 50)));
        slowed.ShouldBeEmpty();
        perSecond.ShouldBe(0);
    }

    [Fact]
    public void Restart_AfterReconnect_WindowStartsAgainButBaselinesStay()
    {
        var baseline = new StatementBaseline(Options);
        baseline.Observe(0, 1, Totals(("a", 100, 100)));
        baseline.Observe(1, 1, Totals(("a", 110, 110)));
        baseline.Restart();
        baseline.Observe(2, 1, Totals(("a", 10, 50))).Slowed.ShouldBeEmpty(); // only starts the window again
        // The learnt 1 ms baseline still holds: 10 calls of 5 ms are slowed.
        baseline.Observe(3, 1, Totals(("a", 20, 100))).Slowed.ShouldHaveSingleItem().BaselineMeanMs.ShouldBe(1);
    }
}
