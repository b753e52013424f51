using System.CommandLine;
using System.Globalization;
using Spectre.Console;

namespace Lifeguard.Cli.Load;

/// <summary>`lifeguard load`: logs in seeded users and drives the website's dashboards for a bounded time.</summary>
internal static class LoadCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var url = new Option<string[]>("--url")
        {
            Description = "Website base URL (loopback only). Several (repeat --url, or a comma list): requests go round robin over them, user k logs in on site k mod N.",
            DefaultValueFactory = _ => ["http://127.0.0.1:5080"],
        };
        var users = new Option<int>("--users", "-u") { Description = "Logged-in users (closed loop: one worker each).", DefaultValueFactory = _ => 32 };
        var rate = new Option<double?>("--rate", "-r") { Description = "Open loop: fixed arrival rate in requests/s (default: closed loop)." };
        var duration = new Option<string>("--duration", "-d") { Description = "How long to send load (e.g. 30s, 2m).", DefaultValueFactory = _ => "30s" };
        var think = new Option<string>("--think") { Description = "Closed loop: think time between a user's requests.", DefaultValueFactory = _ => "0ms" };
        var timeout = new Option<string>("--timeout") { Description = "Client timeout per request; longer counts as an error.", DefaultValueFactory = _ => "30s" };
        var path = new Option<string>("--path") { Description = "Page to request.", DefaultValueFactory = _ => "/dashboard" };
        var password = new Option<string>("--password") { Description = "Password of the seeded users.", DefaultValueFactory = _ => "Demo-Password-1" };
        var firstUser = new Option<int>("--first-user") { Description = "Number of the first seeded user to log in as.", DefaultValueFactory = _ => 1 };
        var slo = new Option<string>("--slo") { Description = "Latency objective; the summary gives the share of requests slower.", DefaultValueFactory = _ => "1s" };
        var json = new Option<string?>("--json") { Description = "Write the summary (with a per-second timeline) as JSON to this path." };

        var command = new Command("load", "Log in as seeded users and load their dashboards; reports latency percentiles and errors.")
        {
            url, users, rate, duration, think, timeout, path, password, firstUser, slo, json,
        };
        command.SetAction(async (parse, ct) =>
        {
            LoadOptions options;
            try
            {
                options = new LoadOptions
                {
                    Urls = ParseUrls(parse.GetValue(url)!),
                    Users = parse.GetValue(users),
                    Rate = parse.GetValue(rate),
                    Duration = DurationParser.Parse(parse.GetValue(duration)!, "--duration"),
                    ThinkTime = DurationParser.Parse(parse.GetValue(think)!, "--think"),
                    RequestTimeout = DurationParser.Parse(parse.GetValue(timeout)!, "--timeout"),
                    Path = parse.GetValue(path)!,
                    Password = parse.GetValue(password)!,
                    FirstUser = parse.GetValue(firstUser),
                    Slo = DurationParser.Parse(parse.GetValue(slo)!, "--slo"),
                };
            }
            catch (Exception e) when (e is ArgumentException or UriFormatException or CliException)
            {
                Console.Error.WriteLine($"lifeguard load: {e.Message}");
                return CliApp.Failure;
            }

            var problems = options.Validate();
            if (problems.Count > 0)
            {
                foreach (var p in problems) Console.Error.WriteLine($"lifeguard load: {p}");
                return CliApp.Failure;
            }

            LoadSummary summary;
            try
            {
                using var runner = new LoadRunner(options);
                summary = await runner.RunAsync(PrintProgress(options), ct).ConfigureAwait(false);
            }
            catch (LoginFailedException e)
            {
                Console.Error.WriteLine($"lifeguard load: login failed: {e.Message}");
                return 1;
            }

            PrintSummary(console, summary);
            var jsonPath = parse.GetValue(json);
            if (jsonPath is not null)
            {
                await CliJson.WriteAsync(jsonPath, summary, ct).ConfigureAwait(false);
                Console.Error.WriteLine($"wrote {jsonPath}");
            }

            // The run itself succeeded; a site that answered with errors is a finding, not a tool failure,
            // unless nothing at all got through.
            return summary.Ok > 0 ? 0 : 1;
        });
        return command;
    }

    /// <summary>The --url values, each possibly a comma list, as absolute URIs in the order given.</summary>
    internal static IReadOnlyList<Uri> ParseUrls(IEnumerable<string> values)
    {
        var urls = values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(v => Uri.TryCreate(v, UriKind.Absolute, out var u) ? u : throw new CliException($"--url {v} is not an absolute URL (e.g. http://127.0.0.1:5080)."))
            .ToList();
        return urls.Count > 0 ? urls : throw new CliException("--url needs a URL.");
    }

    private static Action<LoadProgress> PrintProgress(LoadOptions options)
    {
        var lastLine = DateTime.MinValue;
        var interactive = !Console.IsErrorRedirected;
        return p =>
        {
            // One line per second on a terminal, one every 5 s in logs.
            var every = interactive ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(5);
            if (p.Phase == LoadPhase.LoggingIn)
            {
                if (p.LoggedIn == p.Users || DateTime.UtcNow - lastLine > every)
                {
                    lastLine = DateTime.UtcNow;
                    Console.Error.WriteLine($"logging in {p.LoggedIn}/{p.Users} users...");
                }

                return;
            }

            if (DateTime.UtcNow - lastLine < every) return;
            lastLine = DateTime.UtcNow;
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"[{p.Elapsed.TotalSeconds,5:0}s/{options.Duration.TotalSeconds:0}s] requests {p.Requests,7}  errors {p.Errors,6}  p50 {p.P50Ms,9:0.0} ms  p99 {p.P99Ms,9:0.0} ms"));
        };
    }

    private static void PrintSummary(IAnsiConsole console, LoadSummary s)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("measure").AddColumn(new TableColumn("value").RightAligned());
        void Row(string k, string v) => table.AddRow(Markup.Escape(k), Markup.Escape(v));
        Row("mode", s.Mode == "open" ? $"open loop, {s.Rate} req/s" : $"closed loop, {s.Users} users, think {s.ThinkMs} ms");
        Row("requests", s.Requests.ToString(CultureInfo.InvariantCulture));
        Row("throughput", $"{s.ThroughputRps.ToString(CultureInfo.InvariantCulture)} req/s");
        Row("errors", $"{s.Errors} ({(s.ErrorRate * 100).ToString("0.##", CultureInfo.InvariantCulture)}%)");
        foreach (var (kind, n) in s.ErrorsByKind) Row("  " + kind, n.ToString(CultureInfo.InvariantCulture));
        if (s.PerUrl.Count > 1)
        {
            foreach (var u in s.PerUrl)
            {
                Row(u.Url, string.Create(CultureInfo.InvariantCulture, $"{u.Requests} requests, {u.Errors} errors, {u.Users} users, p50 {u.P50Ms:0.0} ms, p99 {u.P99Ms:0.0} ms"));
                foreach (var (kind, n) in u.ErrorsByKind) Row("  " + kind, n.ToString(CultureInfo.InvariantCulture));
            }

            Row("total", string.Create(CultureInfo.InvariantCulture, $"{s.Requests} requests, {s.Errors} errors"));
        }

        Row("p50", $"{s.P50Ms.ToString("0.0", CultureInfo.InvariantCulture)} ms");
        Row("p90", $"{s.P90Ms.ToString("0.0", CultureInfo.InvariantCulture)} ms");
        Row("p99", $"{s.P99Ms.ToString("0.0", CultureInfo.InvariantCulture)} ms");
        Row("max", $"{s.MaxMs.ToString("0.0", CultureInfo.InvariantCulture)} ms");
        Row($"slower than the SLO ({s.SloMs.ToString(CultureInfo.InvariantCulture)} ms)", $"{(s.ShareOverSlo * 100).ToString("0.##", CultureInfo.InvariantCulture)}%");
        Row("slower than 10 s", $"{(s.ShareOver10s * 100).ToString("0.##", CultureInfo.InvariantCulture)}%");
        console.Write(table);
    }
}
