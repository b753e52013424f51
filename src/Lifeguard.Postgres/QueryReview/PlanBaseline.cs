using System.Globalization;

namespace Lifeguard.Postgres.QueryReview;

/// <summary>
/// The CI gate for plans, as pure logic: a statement regressed when its generic plan's cost is at least
/// <see cref="CostFactor"/> times the baseline's, or when it reads a large table with a sequential scan the baseline did not.
/// Statements are matched by their text (whitespace ignored), since queryid changes with the database's object ids.
/// </summary>
public static class PlanBaseline
{
    /// <summary>How many times the baseline's generic-plan cost a statement may reach before it counts as regressed (2).</summary>
    public const double CostFactor = 2.0;

    /// <summary>The regressions of <paramref name="current"/> against <paramref name="baseline"/> (both as
    /// <c>lifeguard review --plans</c> writes them); empty when nothing got worse.</summary>
    public static IReadOnlyList<PlanRegression> Compare(IReadOnlyList<PlanSnapshot> baseline, IReadOnlyList<PlanSnapshot> current)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(current);
        var byText = new Dictionary<string, PlanSnapshot>(StringComparer.Ordinal);
        foreach (var c in current) byText.TryAdd(Key(c.Query), c);
        var result = new List<PlanRegression>();
        foreach (var b in baseline)
        {
            // A statement the baseline could not plan either (e.g. a parameter type PostgreSQL cannot infer) has nothing to compare.
            if (b.PlanCost is null || !byText.TryGetValue(Key(b.Query), out var now)) continue;
            if (now.Error is not null)
            {
                result.Add(new PlanRegression(now.QueryId ?? b.QueryId, b.Query, "no_plan", $"the statement cannot be planned any more: {now.Error}"));
                continue;
            }
            if (b.PlanCost is > 0 && now.PlanCost is { } cost && cost >= b.PlanCost.Value * CostFactor)
            {
                result.Add(new PlanRegression(now.QueryId ?? b.QueryId, b.Query, "cost",
                    string.Create(CultureInfo.InvariantCulture, $"plan cost {b.PlanCost.Value:0.##} -> {cost:0.##} ({cost / b.PlanCost.Value:0.#}x, limit {CostFactor}x)")));
            }
            foreach (var table in now.SeqScans.Except(b.SeqScans, StringComparer.Ordinal))
            {
                result.Add(new PlanRegression(now.QueryId ?? b.QueryId, b.Query, "seq_scan", $"a sequential scan on the large table {table} appeared"));
            }
        }

        return result;
    }

    /// <summary>The statement text with whitespace collapsed, so reformatting is not a new statement.</summary>
    public static string Key(string query) =>
        string.Join(' ', (query ?? "").Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries));
}
