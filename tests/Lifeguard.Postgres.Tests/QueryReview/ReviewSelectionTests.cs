using Lifeguard.Postgres.QueryReview;

namespace Lifeguard.Postgres.Tests.QueryReview;

public sealed class ReviewSelectionTests
{
    private static StatementStats Stats(string tag, long calls, double meanMs) =>
        new(tag.GetHashCode(StringComparison.Ordinal), $"/* {tag} */ SELECT 1", calls, calls * meanMs, meanMs, calls, 0, 0);

    [Fact]
    public void Select_SixtyCallsOfSeventyMs_IsReviewedWithTheDefaults()
    {
        // 60 x 72 ms = 4.3 s of execution: PgHero's calls >= 100 skipped it; where the time goes says review it.
        var (selected, skipped, below) = ReviewSelection.Select([Stats("report.scan", 60, 72)], new QueryReviewOptions());

        selected.ShouldHaveSingleItem().Calls.ShouldBe(60);
        skipped.ShouldBeEmpty();
        below.ShouldBe(0);
    }

    [Theory]
    [InlineData(4, 500.0, "ran 4 time(s), under --min-calls 5")]
    [InlineData(100, 2.0, "total 200 ms under --min-total-ms 1000 and mean 2 ms under --min-mean-ms 20")]
    public void Select_UnderTheThresholds_SkippedWithTheThresholdThatLeftItOut(long calls, double meanMs, string reason)
    {
        var (selected, skipped, below) = ReviewSelection.Select([Stats("report.x", calls, meanMs)], new QueryReviewOptions());

        selected.ShouldBeEmpty();
        skipped.ShouldHaveSingleItem().Reason.ShouldBe(reason);
        skipped[0].Source.ShouldBe("report.x");
        below.ShouldBe(1);
    }

    [Fact]
    public void Select_ManyCallsOfAFastStatement_ReviewedOnTotalTimeAlone()
    {
        // 5,000 calls of 1 ms: never "slow", but 5 s of the server's time.
        ReviewSelection.Select([Stats("session.read", 5000, 1)], new QueryReviewOptions()).Selected.ShouldHaveSingleItem();
    }

    [Fact]
    public void Select_MoreThanTop_TheRestListedAsBeyondTopAndNotCountedBelowThresholds()
    {
        var ranked = Enumerable.Range(0, 4).Select(i => Stats("s" + i, 10, 100 - i)).ToList();

        var (selected, skipped, below) = ReviewSelection.Select(ranked, new QueryReviewOptions { Top = 2 });

        selected.Select(s => s.Calls).Count().ShouldBe(2);
        skipped.Select(s => s.Reason).ShouldAllBe(r => r.StartsWith("beyond --top 2", StringComparison.Ordinal));
        below.ShouldBe(0);
    }

    [Fact]
    public void Select_NothingPasses_StillListsTheTopTenByTotalTime()
    {
        var ranked = Enumerable.Range(0, 15).Select(i => Stats("s" + i, 1, 50)).ToList();

        var (selected, skipped, _) = ReviewSelection.Select(ranked, new QueryReviewOptions());

        selected.ShouldBeEmpty();
        skipped.Count.ShouldBe(ReviewSelection.SkippedListed);
        skipped[0].Source.ShouldBe("s0");
    }

    [Theory]
    [InlineData("/* lifeguard-diagnoser */ SELECT 1")]
    [InlineData("/* lifeguard review */ SELECT 1")]
    public void IsReviewable_LifeguardsOwnStatements_No(string query) => StatementSource.IsReviewable(query).ShouldBeFalse();
}
