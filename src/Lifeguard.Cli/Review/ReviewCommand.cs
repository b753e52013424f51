using System.CommandLine;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Lifeguard.Postgres.QueryReview;
using Npgsql;
using Spectre.Console;

namespace Lifeguard.Cli.Review;

/// <summary>
/// `lifeguard review --server CONNSTRING`: the statements that hold connections longest, their plans, findings and
/// index advice proven with HypoPG; `--baseline` turns it into a CI gate (exit 1 when a plan regressed).
/// </summary>
internal static class ReviewCommand
{
    public static Command Create(IAnsiConsole console, TimeProvider? time = null, TextWriter? progress = null)
    {
        var server = new Option<string?>("--server") { Description = "Connection string of the database to review (pg_stat_statements, and hypopg for advice). Required." };
        var top = new Option<int>("--top") { Description = "Review at most this many statements, most total time first.", DefaultValueFactory = _ => 20 };
        var minCalls = new Option<long>("--min-calls") { Description = "Review statements that ran at least this often...", DefaultValueFactory = _ => 5 };
        var minTotal = new Option<double>("--min-total-ms") { Description = "...and took at least this much execution time in total, ms...", DefaultValueFactory = _ => 1000 };
        var minMean = new Option<double>("--min-mean-ms") { Description = "...or at least this long on average, ms (PgHero's slow query: 20).", DefaultValueFactory = _ => 20 };
        var timeout = new Option<string>("--statement-timeout") { Description = "statement_timeout of each EXPLAIN ANALYZE.", DefaultValueFactory = _ => "5s" };
        var noAnalyze = new Option<bool>("--no-analyze") { Description = "Never execute statements: generic (estimated) plans only." };
        var verify = new Option<string?>("--verify") { Description = "Connection string of a database (a copy is best) on which each advised index is built inside a transaction, timed with EXPLAIN ANALYZE before and after, and rolled back." };
        var baseline = new Option<FileInfo?>("--baseline") { Description = "An earlier `review --json` file: exit 1 when a statement's plan cost doubled or a sequential scan on a large table appeared." };
        var metricsUrl = new Option<string?>("--metrics-url") { Description = "The guard's /lifeguard/state or /metrics (management address): adds each tagged statement's route hold time." };
        var tokenFile = ManagementAccess.TokenFileOption();
        var markdown = new Option<FileInfo?>("--markdown") { Description = "Also write the report as Markdown to this file." };
        var json = CliApp.JsonOption();

        var command = new Command("review", "Review the statements that hold connections longest with EXPLAIN: findings, and index advice proven with HypoPG.")
        {
            server, top, minCalls, minTotal, minMean, timeout, noAnalyze, verify, baseline, metricsUrl, tokenFile, markdown, json,
        };
        command.SetAction(async (parse, ct) =>
        {
            var options = new QueryReviewOptions
            {
                Top = parse.GetValue(top),
                MinCalls = parse.GetValue(minCalls),
                MinTotalMs = parse.GetValue(minTotal),
                MinMeanMs = parse.GetValue(minMean),
                StatementTimeout = DurationParser.Parse(parse.GetValue(timeout)!, "--statement-timeout"),
                Analyze = !parse.GetValue(noAnalyze),
                VerifyConnectionString = parse.GetValue(verify),
            };
            var problems = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
            if (!Validator.TryValidateObject(options, new ValidationContext(options), problems, validateAllProperties: true))
            {
                throw new CliException(string.Join(" ", problems.Select(p => $"{Flag(p.MemberNames.FirstOrDefault())}: {p.ErrorMessage}")));
            }
            // Checked here rather than by the parser, so the error reaches the console and the --json file like every other.
            var cs = Connection(parse.GetValue(server) ?? throw new CliException("--server CONNSTRING is required: the database whose pg_stat_statements to review."), "--server");
            if (options.VerifyConnectionString is { } v) options.VerifyConnectionString = Connection(v, "--verify");
            // Before the review, which may take a while: an unwritable output would otherwise fail only at the end.
            CliJson.EnsureWritable(parse.GetValue(json), "--json");
            CliJson.EnsureWritable(parse.GetValue(markdown), "--markdown");
            var baselineFile = parse.GetValue(baseline);
            var baselineStatements = baselineFile is null ? null : BaselineFile.Read(baselineFile.FullName);
            var holds = parse.GetValue(metricsUrl) is { } url ? await RouteHoldTimes.ReadAsync(url, ct, parse.GetValue(tokenFile)).ConfigureAwait(false) : null;

            var reviewer = new QueryReviewer(options, time ?? TimeProvider.System);
            var steps = new Progress(progress ?? Console.Error);
            QueryReviewReport report;
            IReadOnlyList<PlanRegression> regressions = [];
            try
            {
                report = await reviewer.ReviewAsync(cs, steps, ct).ConfigureAwait(false);
                if (baselineStatements is not null)
                {
                    steps.Report($"comparing {baselineStatements.Count} baseline statement(s) with their plans now...");
                    var now = await reviewer.PlanAsync(cs, baselineStatements.Where(b => b.PlanCost is not null).Select(b => b.Query), ct).ConfigureAwait(false);
                    regressions = PlanBaseline.Compare(baselineStatements, now);
                }
            }
            catch (QueryReviewException e)
            {
                throw new CliException(e.Message, e);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                throw new CliException($"--server: cannot review the database: {e.Message}", e);
            }

            var statements = holds is null ? report.Statements : report.Statements.Select(s =>
            {
                var route = StatementSource.RouteFor(s.Source, holds.Select(h => h.Key));
                return route is null ? s : s with { Route = route, RouteHoldMeanMs = holds.First(h => h.Key == route).Value.MeanMs };
            }).ToList();
            var output = new ReviewOutput("review", regressions.Count == 0, report.Database, report.ServerVersion, report.ReviewedAt, report.HypopgAvailable,
                new ReviewThresholds(options.Top, options.MinCalls, options.MinTotalMs, options.MinMeanMs, options.MinCostForAdvice, options.MinCostDrop, options.LargeTableRows,
                    options.UnusedIndexMinBytes, options.StatementTimeout.TotalSeconds, options.Analyze, options.VerifyConnectionString is not null),
                report.StatementsSeen, report.BelowThresholds, report.Skipped, report.ElapsedSeconds, statements, report.UnusedIndexes, report.DuplicateIndexes,
                baselineFile?.FullName, regressions, report.Notes);

            Print(console, output);
            try
            {
                await CliJson.WriteAsync(parse.GetValue(json), output, ct).ConfigureAwait(false);
                if (parse.GetValue(markdown) is { } md)
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(md.FullName)!);
                    await File.WriteAllTextAsync(md.FullName, ReviewMarkdown.Render(output), ct).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Writable when the review started, not now (disk full, removed): the report is printed above, say what failed.
                throw new CliException($"cannot write the report file: {e.Message} (the report is printed above)", e);
            }
            return output.Passed ? 0 : CliApp.Failure;
        });
        return command;
    }

    private static string Flag(string? member) => member switch
    {
        nameof(QueryReviewOptions.Top) => "--top",
        nameof(QueryReviewOptions.MinCalls) => "--min-calls",
        nameof(QueryReviewOptions.MinMeanMs) => "--min-mean-ms",
        nameof(QueryReviewOptions.MinTotalMs) => "--min-total-ms",
        nameof(QueryReviewOptions.StatementTimeout) => "--statement-timeout",
        _ => member ?? "option",
    };

    /// <summary>Validates a connection string before anything connects; the error never echoes it (it holds a password).</summary>
    private static string Connection(string text, string flag)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(text);
            if (string.IsNullOrWhiteSpace(builder.Host)) throw new CliException($"{flag}: the connection string names no Host.");
            return builder.ConnectionString;
        }
        catch (ArgumentException e)
        {
            throw new CliException($"{flag}: not a valid connection string ({e.Message}).", e);
        }
    }

    private static void Print(IAnsiConsole console, ReviewOutput r)
    {
        var inv = CultureInfo.InvariantCulture;
        CliApp.MarkupLineUnwrapped(console, $"review of [bold]{Markup.Escape(r.Database)}[/] (PostgreSQL {Markup.Escape(r.ServerVersion)}): {r.Statements.Count} statement(s) reviewed, {r.BelowThresholds} under the thresholds ({Markup.Escape(r.Thresholds.Text)}), {r.ElapsedSeconds.ToString("0.0", inv)} s");
        foreach (var n in r.Notes) CliApp.MarkupLineUnwrapped(console, $"[yellow]note:[/] {Markup.Escape(n)}");
        if (r.Statements.Count > 0)
        {
            var table = new Table().AddColumns("#", "queryid", "source", "calls", "mean ms", "total ms", "rows", "blocks hit/read", "plan", "findings", "index advice");
            for (var i = 0; i < r.Statements.Count; i++)
            {
                var s = r.Statements[i];
                table.AddRow($"{i + 1}", s.QueryId.ToString(inv), Markup.Escape(s.Source ?? "-"), s.Calls.ToString(inv), s.MeanMs.ToString("0.##", inv), s.TotalMs.ToString("0", inv),
                    s.Rows.ToString(inv), $"{s.SharedBlksHit.ToString(inv)}/{s.SharedBlksRead.ToString(inv)}", s.PlanKind.ToString().ToLowerInvariant(), $"{s.Findings.Count}", Markup.Escape(s.IndexAdvice.Count == 0 ? "-" : string.Join("; ", s.IndexAdvice.Select(a => $"{a.Table} ({string.Join(", ", a.Columns)})"))));
            }
            console.Write(table);
        }

        for (var i = 0; i < r.Statements.Count; i++)
        {
            var s = r.Statements[i];
            if (s.Findings.Count == 0 && s.IndexAdvice.Count == 0 && s.Notes.Count == 0) continue;
            CliApp.MarkupLineUnwrapped(console, $"[bold]#{i + 1}[/] {Markup.Escape(OneLine(s.Query, 160))}");
            if (s.Route is not null) CliApp.MarkupLineUnwrapped(console, $"  serves {Markup.Escape(s.Route)} (guard hold mean {RouteHoldTimes.Format(s.RouteHoldMeanMs ?? 0)} ms)");
            foreach (var f in s.Findings) CliApp.MarkupLineUnwrapped(console, $"  [yellow]{f.Rule}[/] {Markup.Escape(f.Node)}: {Markup.Escape(f.Detail)} [dim]fix:[/] {Markup.Escape(f.Fix)}");
            foreach (var a in s.IndexAdvice)
            {
                var measured = a.MeasuredSpeedup is { } x ? $", measured {x.ToString("0.#", inv)}x faster ({a.MeasuredBeforeMs?.ToString("0.##", inv)} -> {a.MeasuredAfterMs?.ToString("0.##", inv)} ms)" : "";
                CliApp.MarkupLineUnwrapped(console, $"  [green]index[/] {Markup.Escape(a.Ddl)} cost {a.CostBefore.ToString("0.##", inv)} -> {a.CostAfter.ToString("0.##", inv)} ({a.Validated.ToString().ToLowerInvariant()}{Markup.Escape(measured)})");
                if (a.VerifyNote is not null) CliApp.MarkupLineUnwrapped(console, $"    [dim]{Markup.Escape(a.VerifyNote)}[/]");
            }
            foreach (var n in s.Notes) CliApp.MarkupLineUnwrapped(console, $"  [dim]{Markup.Escape(n)}[/]");
        }

        if (r.Skipped.Count > 0)
        {
            CliApp.MarkupLineUnwrapped(console, r.Statements.Count == 0 ? "[yellow]not reviewed[/] (the statements with the most total time, and why):" : "[dim]not reviewed, most total time first:[/]");
            foreach (var k in r.Skipped)
                CliApp.MarkupLineUnwrapped(console, $"  {Markup.Escape(OneLine(k.Query, 100))} [dim]{k.Calls.ToString(inv)} calls, total {k.TotalMs.ToString("0", inv)} ms, mean {k.MeanMs.ToString("0.##", inv)} ms: {Markup.Escape(k.Reason)}[/]");
        }

        foreach (var u in r.UnusedIndexes) CliApp.MarkupLineUnwrapped(console, $"[yellow]unused index[/] {Markup.Escape(u.Index)} on {Markup.Escape(u.Table)} ({(u.SizeBytes / 1048576.0).ToString("0.#", inv)} MB): {Markup.Escape(u.Fix)}");
        foreach (var d in r.DuplicateIndexes) CliApp.MarkupLineUnwrapped(console, $"[yellow]duplicate index[/] {Markup.Escape(d.Index)} on {Markup.Escape(d.Table)} ({(d.SizeBytes / 1048576.0).ToString("0.#", inv)} MB): {Markup.Escape(d.Fix)}");
        if (r.Baseline is not null)
        {
            foreach (var g in r.Regressions) CliApp.MarkupLineUnwrapped(console, $"[red]regression[/] ({g.Kind}) {Markup.Escape(OneLine(g.Query, 120))}: {Markup.Escape(g.Detail)}");
            CliApp.MarkupLineUnwrapped(console, r.Passed ? "[green]baseline gate passed[/]: no plan regressed" : $"[red]baseline gate failed[/]: {r.Regressions.Count} regression(s)");
        }
    }

    internal static string OneLine(string query, int max)
    {
        var one = string.Join(' ', query.Split((char[])['\n', '\r', '\t', ' '], StringSplitOptions.RemoveEmptyEntries));
        return one.Length <= max ? one : one[..(max - 3)] + "...";
    }

    /// <summary>
    /// Progress lines on long work (one per statement and per verified index), on stderr like load, drill and sweep, so a
    /// review of 20 plans never looks hung and stdout stays the report.
    /// </summary>
    private sealed class Progress(TextWriter writer) : IProgress<string>
    {
        public void Report(string value) => writer.WriteLine($"review: {value}");
    }
}
