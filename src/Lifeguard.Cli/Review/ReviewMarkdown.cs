using System.Globalization;
using System.Text;

namespace Lifeguard.Cli.Review;

/// <summary>The review as Markdown: a summary table, then each statement's findings and advice.</summary>
internal static class ReviewMarkdown
{
    public static string Render(ReviewOutput r)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(inv, $"# Query review of {r.Database}\n\n");
        sb.Append(inv, $"PostgreSQL {r.ServerVersion}, {r.ReviewedAt:yyyy-MM-dd HH:mm} UTC, {r.ElapsedSeconds:0.0} s. {r.Statements.Count} statement(s) reviewed; {r.BelowThresholds} under the thresholds ({r.Thresholds.Text}). ");
        sb.Append(inv, $"Index advice needs a generic plan cost >= {r.Thresholds.MinCostForAdvice} and a HypoPG cost drop of at least {r.Thresholds.MinCostDrop:P0}.\n\n");
        foreach (var n in r.Notes) sb.Append(inv, $"> {n}\n\n");
        if (r.Statements.Count > 0)
        {
            sb.Append("| # | source | calls | mean ms | total ms | plan | findings | index advice |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n");
            for (var i = 0; i < r.Statements.Count; i++)
            {
                var s = r.Statements[i];
                sb.Append(inv, $"| {i + 1} | {Cell(s.Source ?? "-")} | {s.Calls} | {s.MeanMs:0.##} | {s.TotalMs:0} | {s.PlanKind.ToString().ToLowerInvariant()} | {s.Findings.Count} | {Cell(s.IndexAdvice.Count == 0 ? "-" : string.Join("; ", s.IndexAdvice.Select(a => $"{a.Table} ({string.Join(", ", a.Columns)})")))} |\n");
            }
            sb.Append('\n');
        }

        for (var i = 0; i < r.Statements.Count; i++)
        {
            var s = r.Statements[i];
            sb.Append(inv, $"## {i + 1}. {(s.Source is null ? "queryid " + s.QueryId : s.Source)}\n\n```sql\n{s.Query.Trim()}\n```\n\n");
            sb.Append(inv, $"{s.Calls} calls, mean {s.MeanMs:0.##} ms, total {s.TotalMs:0} ms, {s.Rows} rows, shared blocks hit {s.SharedBlksHit} / read {s.SharedBlksRead}. Plan: {s.PlanKind.ToString().ToLowerInvariant()}");
            if (s.PlanCost is { } c) sb.Append(inv, $", cost {c:0.##}");
            if (s.AnalyzedMs is { } ms) sb.Append(inv, $", analyzed {ms:0.##} ms");
            sb.Append(".\n\n");
            if (s.Route is not null) sb.Append(inv, $"Serves `{s.Route}`: the guard's mean connection hold time there is {s.RouteHoldMeanMs:0.##} ms.\n\n");
            foreach (var f in s.Findings) sb.Append(inv, $"- **{f.Rule}** ({f.Level.ToString().ToLowerInvariant()}) {f.Node}: {f.Detail} Fix: {f.Fix}\n");
            foreach (var a in s.IndexAdvice)
            {
                sb.Append(inv, $"- **index** `{a.Ddl}`: cost {a.CostBefore:0.##} -> {a.CostAfter:0.##} ({a.Validated.ToString().ToLowerInvariant()})");
                if (a.MeasuredSpeedup is { } x) sb.Append(inv, $", measured {x:0.#}x faster ({a.MeasuredBeforeMs:0.##} -> {a.MeasuredAfterMs:0.##} ms)");
                sb.Append('\n');
            }
            foreach (var n in s.Notes) sb.Append(inv, $"- note: {n}\n");
            sb.Append('\n');
        }

        if (r.Skipped.Count > 0)
        {
            sb.Append("## Not reviewed (most total time first)\n\n| source | calls | mean ms | total ms | why |\n| --- | --- | --- | --- | --- |\n");
            foreach (var k in r.Skipped) sb.Append(inv, $"| {Cell(k.Source ?? ReviewCommand.OneLine(k.Query, 60))} | {k.Calls} | {k.MeanMs:0.##} | {k.TotalMs:0} | {Cell(k.Reason)} |\n");
            sb.Append('\n');
        }

        if (r.UnusedIndexes.Count + r.DuplicateIndexes.Count > 0)
        {
            sb.Append("## Indexes\n\n");
            foreach (var u in r.UnusedIndexes) sb.Append(inv, $"- unused `{u.Index}` on {u.Table} ({u.SizeBytes / 1048576.0:0.#} MB): {u.Fix}\n");
            foreach (var d in r.DuplicateIndexes) sb.Append(inv, $"- duplicate `{d.Index}` on {d.Table} ({d.SizeBytes / 1048576.0:0.#} MB): {d.Fix}\n");
            sb.Append('\n');
        }

        if (r.Baseline is not null)
        {
            sb.Append(inv, $"## Baseline gate: {(r.Passed ? "passed" : "failed")}\n\n");
            foreach (var g in r.Regressions) sb.Append(inv, $"- {g.Kind}: `{ReviewCommand.OneLine(g.Query, 120)}`: {g.Detail}\n");
        }

        return sb.ToString();
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}
