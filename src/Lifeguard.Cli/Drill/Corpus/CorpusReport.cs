using System.Globalization;
using System.Text;
using Lifeguard.Diagnosis.Accuracy;
using ScottPlot;

namespace Lifeguard.Cli.Drill.Corpus;

/// <summary>The corpus's report: accuracy.json (the score), accuracy.md (the tables) and confusion.png (the matrix).</summary>
internal static class CorpusReport
{
    public static async Task WriteAsync(CorpusScore score, string directory, string title, CancellationToken ct)
    {
        Directory.CreateDirectory(directory);
        await CliJson.WriteAsync(Path.Combine(directory, "accuracy.json"), score, ct).ConfigureAwait(false);
        SaveConfusion(score, Path.Combine(directory, "confusion.png"), title);
        await File.WriteAllTextAsync(Path.Combine(directory, "accuracy.md"), Markdown(score, title, "confusion.png"), ct).ConfigureAwait(false);
    }

    /// <summary>The figures on one screen: what the CLI prints and the top of accuracy.md.</summary>
    /// <summary>The stated confidence against the measured hit rate, one line per bucket with seconds in it.</summary>
    public static string CalibrationTable(CorpusScore s) =>
        "stated confidence  seconds  mean stated  right  measured hit rate\n" + string.Join('\n', s.Calibration.Where(b => b.Seconds > 0).Select(b =>
            F($"[{b.From:0.00}, {b.To:0.00}){"",6} {b.Seconds,7}  {b.MeanStated,11:0.00}  {b.Right,5}  {b.HitRate,17:P0}")));

    public static string Summary(CorpusScore s) => F(
        $"fault scenarios named right: {s.FaultScenariosRight}/{s.FaultScenarios} ({s.Accuracy:P1}); scenarios with a harmful answer: {s.HarmfulScenarios}; controls read healthy: {s.ControlsRight}/{s.Controls} scenarios, {s.ControlHealthyShare:P1} of their seconds; time to the right cause: median {Seconds(s.MedianFirstRightS)}, p95 {Seconds(s.P95FirstRightS)}; mean flicker {s.MeanFlicker:0.##} changes per fault");

    public static string Markdown(CorpusScore s, string title, string png)
    {
        var md = new StringBuilder();
        md.AppendLine(F($"# {title}")).AppendLine();
        md.AppendLine(Summary(s)).AppendLine();
        md.AppendLine(F($"![confusion matrix]({png})")).AppendLine();
        md.AppendLine("## Confusion matrix (rows: the scenario's cause, columns: the verdict)").AppendLine();
        var used = Enumerable.Range(0, s.Causes.Count).Where(i => s.Confusion[i].Sum() > 0 || s.Confusion.Sum(r => r[i]) > 0).ToList();
        md.AppendLine("| cause \\ verdict | " + string.Join(" | ", used.Select(i => s.Causes[i])) + " |");
        md.AppendLine("|---|" + string.Concat(used.Select(_ => "---:|")));
        foreach (var i in used) md.AppendLine(F($"| {s.Causes[i]} | ") + string.Join(" | ", used.Select(j => s.Confusion[i][j].ToString(CultureInfo.InvariantCulture))) + " |");
        md.AppendLine().AppendLine("## Per cause").AppendLine();
        md.AppendLine("| cause | scenarios | named | right | precision | recall |").AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (var c in s.PerCause) md.AppendLine(F($"| {c.Cause} | {c.Scenarios} | {c.Named} | {c.Right} | {Share(c.Precision)} | {Share(c.Recall)} |"));
        md.AppendLine().AppendLine("## Stated confidence against measured hit rate (seconds naming a cause)").AppendLine();
        md.AppendLine("| confidence | seconds | mean stated | right | hit rate |").AppendLine("|---|---:|---:|---:|---:|");
        foreach (var b in s.Calibration) md.AppendLine(F($"| [{b.From:0.0#}, {b.To:0.0#}) | {b.Seconds} | {(b.MeanStated is { } m ? m.ToString("0.00", CultureInfo.InvariantCulture) : "-")} | {b.Right} | {Share(b.HitRate)} |"));
        md.AppendLine().AppendLine("## Scenarios").AppendLine();
        md.AppendLine("| scenario | kind | expected | verdict | right | first right | right / wrong / unknown / missed | flicker | back to healthy | harmful |");
        md.AppendLine("|---|---|---|---|---|---:|---|---:|---:|---|");
        foreach (var x in s.Scenarios.OrderBy(x => x.Scenario, StringComparer.Ordinal))
        {
            md.AppendLine(F($"| {x.Scenario} | {x.Kind} | {string.Join(", ", x.Accept)} | {x.Verdict} | {(x.Right ? "yes" : "**no**")} | {Seconds(x.FirstRightS)} | {x.RightShare:P0} / {x.WrongShare:P0} / {x.UnknownShare:P0} / {x.MissedShare:P0} | {x.Flicker} | {Seconds(x.BackToHealthyS)} | {(x.Harmful ? F($"**{string.Join(", ", x.HarmfulCauses)}** ({x.HarmfulSeconds} s)") : "")} |"));
        }
        return md.ToString();
    }

    public static void SaveConfusion(CorpusScore s, string path, string title)
    {
        var used = Enumerable.Range(0, s.Causes.Count).Where(i => s.Confusion[i].Sum() > 0 || s.Confusion.Sum(r => r[i]) > 0).ToList();
        var n = used.Count;
        var plot = new Plot();
        for (var r = 0; r < n; r++)
        {
            var rowTotal = Math.Max(1, s.Confusion[used[r]].Sum());
            for (var c = 0; c < n; c++)
            {
                var count = s.Confusion[used[r]][used[c]];
                // Shaded by the share of the row: a dark diagonal is a diagnosis that names each cause as itself.
                var share = count / (double)rowTotal;
                var cell = plot.Add.Rectangle(c, c + 1, n - r - 1, n - r);
                cell.FillColor = (r == c ? Colors.SeaGreen : Colors.OrangeRed).WithAlpha(count == 0 ? 0.03 : 0.15 + 0.85 * share);
                cell.LineColor = Colors.Gray;
                if (count == 0) continue;
                var text = plot.Add.Text(count.ToString(CultureInfo.InvariantCulture), c + 0.5, n - r - 0.5);
                text.LabelAlignment = Alignment.MiddleCenter;
                text.LabelFontSize = 16;
                text.LabelBold = true;
            }
        }
        var ticks = Enumerable.Range(0, n).Select(i => i + 0.5).ToArray();
        plot.Axes.Bottom.SetTicks(ticks, [.. used.Select(i => s.Causes[i])]);
        plot.Axes.Bottom.TickLabelStyle.Rotation = 35;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        // Room for the rotated cause names under the matrix, and for the longest one beside it.
        plot.Axes.Bottom.MinimumSize = 150;
        plot.Axes.Left.MinimumSize = 150;
        plot.Axes.Left.SetTicks([.. ticks.Reverse()], [.. used.Select(i => s.Causes[i])]);
        plot.Axes.SetLimits(0, n, 0, n);
        plot.Title(F($"{title}: {s.FaultScenariosRight}/{s.FaultScenarios} faults right, {s.HarmfulScenarios} harmful"));
        plot.XLabel("verdict");
        plot.YLabel("the scenario's cause");
        plot.SavePng(path, 900, 800);
    }

    private static string Seconds(double? s) => s is { } v ? F($"{v:0.0} s") : "—";

    private static string Share(double? v) => v is { } x ? F($"{x:P0}") : "—";

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
