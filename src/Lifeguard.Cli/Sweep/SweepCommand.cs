using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Lifeguard.Cli.Load;
using Spectre.Console;

namespace Lifeguard.Cli.Sweep;

/// <summary>`lifeguard sweep`: measures the website at a series of pool sizes under one fixed load and compares the advisor's size with the best.</summary>
internal static class SweepCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var sizes = new Option<string>("--sizes") { Description = "Comma-separated Maximum Pool Size values to measure.", DefaultValueFactory = _ => "2,3,4,5,6,8,10,12,16,32,100" };
        var rate = new Option<double>("--rate") { Description = "Fixed open-loop load, dashboard requests/s.", DefaultValueFactory = _ => 80 };
        var rounds = new Option<int>("--rounds") { Description = "Measure every size this many times in interleaved rounds; rows are medians.", DefaultValueFactory = _ => 1 };
        var duration = new Option<string>("--duration") { Description = "Measured time per pool size.", DefaultValueFactory = _ => "20s" };
        var warmUp = new Option<string>("--warm-up") { Description = "Unrecorded load before each measurement.", DefaultValueFactory = _ => "3s" };
        var delay = new Option<string>("--network-delay") { Description = "One-way delay between website and database.", DefaultValueFactory = _ => "4ms" };
        var users = new Option<int>("--users") { Description = "Logged-in users the requests rotate over.", DefaultValueFactory = _ => 32 };
        var poolTimeout = new Option<int>("--pool-timeout") { Description = "The site's acquire Timeout (s) at every size.", DefaultValueFactory = _ => 5 };
        var waitGoal = new Option<string>("--wait-goal") { Description = "The advisor's goal for the p99 wait for a connection.", DefaultValueFactory = _ => "50ms" };
        var cores = new Option<int?>("--db-cores") { Description = "Database cores (default: this machine's, as the database runs here)." };
        var pgPort = new Option<int>("--pg-port") { Description = "Port of the private PostgreSQL (started if not running).", DefaultValueFactory = _ => 54329 };
        var pgData = new Option<string?>("--pg-data") { Description = "Data directory of that PostgreSQL (default .data/pg)." };
        var output = new Option<string?>("--out") { Description = "Directory for sweep.md and sweep.json." };
        var json = CliApp.JsonOption();

        var command = new Command("sweep", "Validate the sizing advisor: measure the website at several pool sizes under one fixed load, compare with the advisor, HikariCP's rule and Npgsql's default.")
        {
            sizes, rate, rounds, duration, warmUp, delay, users, poolTimeout, waitGoal, cores, pgPort, pgData, output, json,
        };
        command.SetAction(async (parse, ct) =>
        {
            SweepOptions options;
            try
            {
                options = new SweepOptions
                {
                    Sizes = ParseSizes(parse.GetValue(sizes)!),
                    Rate = parse.GetValue(rate),
                    Rounds = parse.GetValue(rounds),
                    Duration = DurationParser.Parse(parse.GetValue(duration)!, "--duration"),
                    WarmUp = DurationParser.Parse(parse.GetValue(warmUp)!, "--warm-up"),
                    NetworkDelay = DurationParser.Parse(parse.GetValue(delay)!, "--network-delay"),
                    Users = parse.GetValue(users),
                    PoolTimeoutSeconds = parse.GetValue(poolTimeout),
                    WaitGoal = DurationParser.Parse(parse.GetValue(waitGoal)!, "--wait-goal"),
                    DatabaseCores = parse.GetValue(cores) ?? Environment.ProcessorCount,
                    PgPort = parse.GetValue(pgPort),
                    PgDataDir = parse.GetValue(pgData),
                    OutputDirectory = parse.GetValue(output),
                };
            }
            catch (ArgumentException e)
            {
                throw new CliException(e.Message, e);
            }

            var problems = options.Validate();
            if (problems.Count > 0) throw new CliException(string.Join(" ", problems));

            SweepReport report;
            try
            {
                report = await new SweepRunner(options, Say).RunAsync(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException or LoginFailedException or HttpRequestException or Npgsql.NpgsqlException)
            {
                throw new CliException(e.Message, e);
            }

            var commandLine = string.Join(" ", parse.Tokens.Where(t => t.Type != TokenType.Command).Select(t => t.Value).Prepend("lifeguard sweep"));
            if (options.OutputDirectory is { } dir)
            {
                Directory.CreateDirectory(dir);
                var md = Path.Combine(dir, "sweep.md");
                report = report with { MarkdownPath = Path.GetFullPath(md) };
                await File.WriteAllTextAsync(md, SweepMarkdown.Render(report, commandLine), ct).ConfigureAwait(false);
                await CliJson.WriteAsync(Path.Combine(dir, "sweep.json"), report, ct).ConfigureAwait(false);
            }

            await CliJson.WriteAsync(parse.GetValue(json), report, ct).ConfigureAwait(false);
            Print(console, report);
            return 0;
        });
        return command;
    }

    internal static List<int> ParseSizes(string text)
    {
        var result = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) throw new ArgumentException($"--sizes: '{part}' is not a pool size.");
            result.Add(n);
        }

        return result.Distinct().Order().ToList();
    }

    private static void Print(IAnsiConsole console, SweepReport r)
    {
        var inv = CultureInfo.InvariantCulture;
        var table = new Table().Title(string.Format(inv, "Sweep at {0:0.#} req/s", r.Settings.RateRps))
            .AddColumns("Pool size", "ok/s", "p50 ms", "p99 ms", "Errors", "Wait p99 measured", "Wait p99 model", "Hold mean / p99 ms");
        foreach (var p in r.Points)
        {
            var size = p.PoolSize == r.Advice.RecommendedMaxPoolSize ? $"[bold]{p.PoolSize}[/]" : p.PoolSize.ToString(inv);
            table.AddRow(size, p.ThroughputRps.ToString("0.0", inv), p.P50Ms.ToString("0.0", inv), p.P99Ms.ToString("0.0", inv), p.ErrorRate.ToString("P1", inv),
                p.PoolWaitP99Ms.ToString("0.0", inv), p.PredictedWaitP99Ms is { } w ? w.ToString("0.0", inv) : "unbounded",
                string.Format(inv, "{0:0.0} / {1:0.0}", p.HoldMeanMs, p.HoldP99Ms));
        }

        console.Write(table);
        var comparison = new Table().Title("Advisor vs the rules").AddColumns("Rule", "Pool size", "ok/s", "p99 ms", "Errors", string.Format(inv, "Within {0:P0} of best", r.Settings.Tolerance));
        foreach (var c in r.Comparison)
        {
            comparison.AddRow(Markup.Escape(SweepMarkdown.Name(c.Rule)), c.PoolSize.ToString(inv), c.ThroughputRps.ToString("0.0", inv), c.P99Ms.ToString("0.0", inv),
                c.ErrorRate.ToString("P1", inv), c.WithinTolerance ? "[green]yes[/]" : "[red]no[/]");
        }

        console.Write(comparison);
        foreach (var reason in r.Advice.Reasons) CliApp.MarkupLineUnwrapped(console, "  - " + Markup.Escape(reason));
        CliApp.MarkupLineUnwrapped(console, r.AdvisorWithinTolerance
            ? string.Format(inv, "[green]advisor's size {0} is within {1:P0} of the best p99 and throughput[/]", r.Advice.RecommendedMaxPoolSize, r.Settings.Tolerance)
            : string.Format(inv, "[red]advisor's size {0} is NOT within {1:P0} of the best p99 and throughput[/]", r.Advice.RecommendedMaxPoolSize, r.Settings.Tolerance));
    }

    private static void Say(string line) =>
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{DateTime.Now:HH:mm:ss} {line}"));
}
