using System.Globalization;

namespace Lifeguard.Postgres.QueryReview;

/// <summary>
/// Which statements a review plans. A statement is significant when it ran often enough to matter and cost either much in
/// total or much per call: an index advisor's question is where time goes (Dexter ranks by total time and filters by the
/// saving), not PgHero's "slow query" list, which needs 100 calls and would skip a 70 ms scan run 60 times.
/// </summary>
internal static class ReviewSelection
{
    /// <summary>Most skipped statements listed, largest total time first.</summary>
    public const int SkippedListed = 10;

    public static bool IsSignificant(StatementStats s, QueryReviewOptions o) =>
        s.Calls >= o.MinCalls && (s.TotalMs >= o.MinTotalMs || s.MeanMs >= o.MinMeanMs);

    /// <summary>Why <paramref name="s"/> is not significant; null when it is.</summary>
    public static string? WhyNot(StatementStats s, QueryReviewOptions o)
    {
        var inv = CultureInfo.InvariantCulture;
        if (s.Calls < o.MinCalls) return string.Create(inv, $"ran {s.Calls} time(s), under --min-calls {o.MinCalls}");
        if (s.TotalMs < o.MinTotalMs && s.MeanMs < o.MinMeanMs)
            return string.Create(inv, $"total {s.TotalMs:0.#} ms under --min-total-ms {o.MinTotalMs:0.#} and mean {s.MeanMs:0.##} ms under --min-mean-ms {o.MinMeanMs:0.##}");
        return null;
    }

    /// <summary>Splits <paramref name="ranked"/> (largest total time first) into the statements to plan and the top of the
    /// rest with their reasons (those cut by <see cref="QueryReviewOptions.Top"/> included).</summary>
    public static (List<StatementStats> Selected, List<SkippedStatement> Skipped, int BelowThresholds) Select(IReadOnlyList<StatementStats> ranked, QueryReviewOptions o)
    {
        var selected = new List<StatementStats>();
        var skipped = new List<SkippedStatement>();
        var below = 0;
        foreach (var s in ranked)
        {
            var why = WhyNot(s, o);
            if (why is null && selected.Count < o.Top)
            {
                selected.Add(s);
                continue;
            }
            if (why is not null) below++;
            if (skipped.Count < SkippedListed)
                skipped.Add(new SkippedStatement(s.QueryId, s.Query, StatementSource.Tag(s.Query), s.Calls, s.TotalMs, s.MeanMs,
                    why ?? string.Create(CultureInfo.InvariantCulture, $"beyond --top {o.Top} (statements are reviewed largest total time first)")));
        }
        return (selected, skipped, below);
    }
}
