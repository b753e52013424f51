using System.CommandLine;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Lifeguard.Postgres;
using Lifeguard.Sizing;
using Npgsql;
using Spectre.Console;

namespace Lifeguard.Cli.Size;

/// <summary>
/// `lifeguard size`: recommends pool settings from measured load (numbers, a /metrics URL sampled over
/// a window, or a load/drill JSON) with <see cref="PoolSizingAdvisor"/>. Exit 0 when a size meets the
/// goal, 2 when the advisor says none can (database bottleneck, budget), 1 when the input is unusable.
/// </summary>
internal static class SizeCommand
{
    /// <summary>Exit code when the advice is "no pool size meets the goal".</summary>
    public const int GoalNotMet = 2;

    public static Command Create(IAnsiConsole console)
    {
        var arrival = new Option<double?>("--arrival-rate") { Description = "Leases (connection opens) per second at one instance." };
        var holdMean = new Option<double?>("--hold-mean-ms") { Description = "Mean time a lease holds its connection, ms." };
        var holdP99 = new Option<double?>("--hold-p99-ms") { Description = "99th percentile hold time, ms (tail variability)." };
        var cores = new Option<int?>("--db-cores") { Description = "Database server cores (useful parallelism ≈ cores × 2 + 1)." };
        var saturation = new Option<int?>("--db-saturation") { Description = "Measured busy connections at which database throughput stops growing." };
        var maxConnections = new Option<int?>("--max-connections") { Description = "The server's max_connections." };
        var reserved = new Option<int?>("--reserved") { Description = "Reserved slots (superuser_reserved_connections); default 3 with --max-connections." };
        var otherClients = new Option<int?>("--other-clients") { Description = "Connections other clients hold." };
        var server = new Option<string?>("--server") { Description = "Connection string: read max_connections, reserved and other clients from the server." };
        var instances = new Option<int?>("--instances") { Description = "Application instances, each with its own pool (default 1)." };
        var goal = new Option<double>("--wait-goal-ms") { Description = "Latency goal for the wait for a connection.", DefaultValueFactory = _ => 50 };
        var quantile = new Option<double>("--wait-quantile") { Description = "Quantile the goal applies to.", DefaultValueFactory = _ => 0.99 };
        var budget = new Option<string>("--request-budget") { Description = "How long a request may take.", DefaultValueFactory = _ => "10s" };
        var burst = new Option<double>("--burst") { Description = "Headroom: meet the goal at this multiple of the measured rate.", DefaultValueFactory = _ => 1.3 };
        var metricsUrl = new Option<string?>("--metrics-url") { Description = "A running instance's management address: its /lifeguard/state (the guard's own reading, e.g. http://127.0.0.1:5081/lifeguard/state) or a Prometheus /metrics URL (e.g. http://127.0.0.1:5081/metrics)." };
        var window = new Option<string>("--window") { Description = "How long to sample --metrics-url.", DefaultValueFactory = _ => "30s" };
        var pool = new Option<string?>("--pool") { Description = "db_client_connection_pool_name to size when the metrics hold several pools." };
        var tokenFile = ManagementAccess.TokenFileOption();
        var fromJson = new Option<FileInfo?>("--from-json") { Description = "JSON from `lifeguard load`/`drill` with arrival_rate_per_second, hold_mean_ms[, hold_p99_ms, instances]." };
        var transactionsPerLease = new Option<double?>("--transactions-per-lease") { Description = "With a pooler: transactions (statements in statement mode) each lease runs, each holding a server connection (default 1)." };
        var serverHoldMean = new Option<double?>("--server-hold-mean-ms") { Description = "With a pooler: mean time a transaction holds the pooler's server connection, ms (default: the lease hold time)." };
        var serverHoldP99 = new Option<double?>("--server-hold-p99-ms") { Description = "With a pooler: 99th percentile of that time, ms." };
        var poolerOthers = new Option<int?>("--pooler-other-clients") { Description = "With a pooler: its clients other than this fleet's pools (other services, the admin console), counted against max_client_conn." };
        var pooler = new PoolerFlags();
        var json = CliApp.JsonOption();

        var command = new Command("size", "Recommend Maximum/Minimum Pool Size and Timeout from measured load, a queueing model and the server's budget.")
        {
            arrival, holdMean, holdP99, cores, saturation, maxConnections, reserved, otherClients, server, instances,
            goal, quantile, budget, burst, metricsUrl, window, pool, tokenFile, fromJson,
            transactionsPerLease, serverHoldMean, serverHoldP99, poolerOthers, json,
        };
        pooler.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            double? rate = null, meanMs = null, p99Ms = null, sampledLeases = null, sampledSeconds = null, currentMax = null;
            int? fileInstances = null;
            string? poolName = null;
            HoldTimeDistribution? measuredHold = null;
            var source = "command line";

            if (parse.GetValue(fromJson) is { } file)
            {
                var input = SizingInputFile.Read(file.FullName);
                (rate, meanMs, p99Ms, fileInstances) = (input.ArrivalRatePerSecond, input.HoldMeanMs, input.HoldP99Ms, input.Instances);
                source = "json " + file.FullName;
            }
            if (parse.GetValue(metricsUrl) is { } urlText)
            {
                if (!Uri.TryCreate(urlText, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
                {
                    throw new CliException($"--metrics-url: '{urlText}' is not an http(s) URL.");
                }
                if (source != "command line") throw new CliException("use either --from-json or --metrics-url, not both.");
                var sampleWindow = DurationParser.Parse(parse.GetValue(window)!, "--window");
                if (sampleWindow <= TimeSpan.Zero) throw new CliException("--window must be positive.");
                CliApp.MarkupLineUnwrapped(console, $"Sampling [blue]{Markup.Escape(url.ToString())}[/] for {sampleWindow.TotalSeconds:0.#} s...");
                var sample = await MetricsSampler.SampleAsync(url, sampleWindow, parse.GetValue(pool), ct, parse.GetValue(tokenFile)).ConfigureAwait(false);
                (rate, measuredHold, poolName) = (sample.ArrivalRatePerSecond, sample.Hold, sample.Pool);
                (sampledLeases, sampledSeconds, currentMax) = (sample.Leases, sample.Elapsed.TotalSeconds, sample.CurrentMaximumPoolSize);
                source = "metrics " + url;
            }

            // Numbers on the command line override what a file or the metrics said.
            rate = parse.GetValue(arrival) ?? rate;
            if (parse.GetValue(holdMean) is { } m) { meanMs = m; measuredHold = null; }
            if (parse.GetValue(holdP99) is { } p) { p99Ms = p; if (measuredHold is not null) meanMs = measuredHold.Mean.TotalMilliseconds; measuredHold = null; }
            if (rate is null) throw new CliException("no arrival rate: give --arrival-rate, --metrics-url or --from-json.");
            var hold = measuredHold ?? HoldFrom(meanMs, p99Ms);

            var sizing = new PoolSizingInput
            {
                ArrivalRatePerSecond = rate.Value,
                Hold = hold,
                DatabaseCores = parse.GetValue(cores),
                DatabaseSaturationConnections = parse.GetValue(saturation),
                Instances = parse.GetValue(instances) ?? fileInstances ?? 1,
                WaitGoal = TimeSpan.FromMilliseconds(parse.GetValue(goal)),
                WaitGoalQuantile = parse.GetValue(quantile),
                RequestBudget = DurationParser.Parse(parse.GetValue(budget)!, "--request-budget"),
                BurstFactor = parse.GetValue(burst),
            };
            if (parse.GetValue(server) is { } serverCs)
            {
                ServerConnectionBudget b;
                try
                {
                    b = await PostgresServerBudget.QueryAsync(serverCs, ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is NpgsqlException or ArgumentException or TimeoutException)
                {
                    throw new CliException($"--server: cannot read the connection budget: {e.Message}", e);
                }
                (sizing.ServerMaxConnections, sizing.ReservedConnections, sizing.OtherClientConnections) = (b.MaxConnections, b.ReservedConnections, b.OtherClientConnections);
            }
            if (parse.GetValue(maxConnections) is { } max)
            {
                if (sizing.ServerMaxConnections is null) sizing.ReservedConnections = 3; // PostgreSQL's default superuser_reserved_connections
                sizing.ServerMaxConnections = max;
            }
            if (parse.GetValue(reserved) is { } r) sizing.ReservedConnections = r;
            if (parse.GetValue(otherClients) is { } o) sizing.OtherClientConnections = o;

            PoolSizingRecommendation recommendation;
            try
            {
                recommendation = PoolSizingAdvisor.Recommend(sizing);
            }
            catch (ValidationException e)
            {
                throw new CliException("invalid sizing input: " + e.Message, e);
            }

            var poolerSettings = await pooler.ResolveAsync(parse, ct).ConfigureAwait(false);
            var twoQueueOnly = parse.GetValue(transactionsPerLease) is not null || parse.GetValue(serverHoldMean) is not null || parse.GetValue(serverHoldP99) is not null || parse.GetValue(poolerOthers) is not null;
            if (poolerSettings is null && twoQueueOnly) throw new CliException("--transactions-per-lease, --server-hold-*-ms and --pooler-other-clients describe a pooler: add --pooler pgbouncer (or --pooler-config / --pooler-admin).");
            TwoQueueSizingRecommendation? twoQueue = null;
            if (poolerSettings is not null)
            {
                var others = parse.GetValue(poolerOthers) ?? 0;
                if (others < 0) throw new CliException("--pooler-other-clients cannot be negative.");
                var perLease = parse.GetValue(transactionsPerLease) ?? 1;
                if (perLease <= 0) throw new CliException("--transactions-per-lease must be positive.");
                var serverHold = parse.GetValue(serverHoldMean) is null && parse.GetValue(serverHoldP99) is null
                    ? null
                    : HoldFrom(parse.GetValue(serverHoldMean) ?? hold.Mean.TotalMilliseconds, parse.GetValue(serverHoldP99), "--server-hold-mean-ms");
                try
                {
                    twoQueue = TwoQueueSizingAdvisor.Recommend(new TwoQueueSizingInput
                    {
                        Fleet = sizing,
                        Mode = poolerSettings.Mode,
                        MaxClientConnections = poolerSettings.MaxClientConnections,
                        OtherPoolerClients = others,
                        DatabaseUserPairs = poolerSettings.EffectivePairPoolSizes.Count,
                        ReservePoolSize = poolerSettings.ReservePoolSize,
                        TransactionsPerLease = perLease,
                        ServerHold = serverHold,
                    });
                }
                catch (ValidationException e)
                {
                    throw new CliException("invalid sizing input: " + e.Message, e);
                }
            }

            var report = new SizeReport("size", source,
                new SizeReportInputs(sizing.ArrivalRatePerSecond, hold.Mean.TotalMilliseconds, hold.P99.TotalMilliseconds, hold.SquaredCoefficientOfVariation,
                    sizing.DatabaseCores, sizing.DatabaseSaturationConnections, sizing.ServerMaxConnections, sizing.ReservedConnections, sizing.OtherClientConnections,
                    sizing.Instances, sizing.WaitGoal.TotalMilliseconds, sizing.WaitGoalQuantile, sizing.RequestBudget.TotalSeconds, sizing.BurstFactor,
                    poolName, sampledLeases, sampledSeconds, currentMax),
                SizeReportRecommendation.From(recommendation),
                Alternatives(sizing, recommendation),
                SizeReportTwoQueue.From(twoQueue, poolerSettings));
            Print(console, report);
            await CliJson.WriteAsync(parse.GetValue(json), report, ct).ConfigureAwait(false);
            return (twoQueue?.Verdict ?? recommendation.Verdict) == SizingVerdict.Recommended ? 0 : GoalNotMet;
        });
        return command;
    }

    private static List<SizeReportAlternative> Alternatives(PoolSizingInput input, PoolSizingRecommendation r)
    {
        // From the smallest stable size (or three below the recommendation) to three above it.
        var from = Math.Max(Math.Max(1, (int)Math.Floor(r.OfferedLoad) + 1), r.MaximumPoolSize - 3);
        var to = Math.Max(from, r.MaximumPoolSize + 3);
        return Enumerable.Range(from, to - from + 1).Select(c => new SizeReportAlternative(
            c,
            r.OfferedLoad / c,
            input.ArrivalRatePerSecond == 0 ? 0 : ErlangC.ProbabilityOfWait(r.OfferedLoad, c),
            PoolSizingAdvisor.PredictWait(input.ArrivalRatePerSecond, input.Hold, c, input.WaitGoalQuantile)?.TotalMilliseconds)).ToList();
    }

    private static HoldTimeDistribution HoldFrom(double? meanMs, double? p99Ms, string what = "hold")
    {
        if (meanMs is null) throw new CliException("no hold time: give --hold-mean-ms, --metrics-url or --from-json.");
        if (meanMs <= 0 || p99Ms <= 0) throw new CliException(what == "hold" ? "hold times must be positive." : "--server-hold-mean-ms and --server-hold-p99-ms must be positive.");
        return p99Ms is { } p
            ? HoldTimeDistribution.FromMeanAndP99(TimeSpan.FromMilliseconds(meanMs.Value), TimeSpan.FromMilliseconds(p))
            : HoldTimeDistribution.FromMean(TimeSpan.FromMilliseconds(meanMs.Value));
    }

    private static void Print(IAnsiConsole console, SizeReport report)
    {
        var i = report.Inputs;
        var r = report.Recommendation;
        var inv = CultureInfo.InvariantCulture;
        var inputs = new Table().Title("Inputs (" + Markup.Escape(report.Source) + ")").AddColumns("Input", "Value");
        inputs.AddRow("Arrival rate per instance", string.Format(inv, "{0:0.##} leases/s", i.ArrivalRatePerSecond));
        inputs.AddRow("Hold time mean / p99", string.Format(inv, "{0:0.##} ms / {1:0.##} ms", i.HoldMeanMs, i.HoldP99Ms));
        inputs.AddRow("Instances", i.Instances.ToString(inv));
        inputs.AddRow("Database", i.DatabaseSaturationConnections is { } s ? $"saturates at {s}" : i.DatabaseCores is { } c ? $"{c} core(s)" : "unknown");
        inputs.AddRow("Server budget", i.MaxConnections is { } mc ? $"max_connections {mc} − {i.ReservedConnections} reserved − {i.OtherClientConnections} others" : "unknown");
        inputs.AddRow("Goal", string.Format(inv, "p{0:0.###} wait ≤ {1:0.##} ms, request budget {2:0.##} s", i.WaitGoalQuantile * 100, i.WaitGoalMs, i.RequestBudgetSeconds));
        if (i.CurrentMaximumPoolSize is { } cur) inputs.AddRow("Current Maximum Pool Size", cur.ToString(inv));
        console.Write(inputs);

        var color = r.Verdict == SizingVerdict.Recommended ? "green" : "red";
        var table = new Table().Title($"Recommendation: [{color}]{r.Verdict}[/]").AddColumns("Setting", "Value");
        table.AddRow("Maximum Pool Size", $"[bold]{r.MaximumPoolSize}[/]");
        table.AddRow("Minimum Pool Size", r.MinimumPoolSize.ToString(inv));
        table.AddRow("Timeout", string.Format(inv, "{0:0} s", r.TimeoutSeconds));
        table.AddRow("Offered load (busy connections)", string.Format(inv, "{0:0.##} per instance, {1:0.##} fleet", r.OfferedLoad, r.FleetOfferedLoad));
        table.AddRow("P(wait)", string.Format(inv, "{0:P1}", r.PredictedProbabilityOfWait));
        table.AddRow(string.Format(inv, "Predicted p{0:0.###} wait", i.WaitGoalQuantile * 100), r.PredictedGoalQuantileWaitMs is { } q ? string.Format(inv, "{0:0.##} ms", q) : "unbounded");
        console.Write(table);
        var alternatives = new Table().Title("Other sizes (model)").AddColumns("Pool size", "Busy", "P(wait)", string.Format(inv, "p{0:0.###} wait", i.WaitGoalQuantile * 100));
        foreach (var a in report.Alternatives)
        {
            var size = a.PoolSize == r.MaximumPoolSize ? $"[bold]{a.PoolSize}[/]" : a.PoolSize.ToString(inv);
            alternatives.AddRow(size, string.Format(inv, "{0:P0}", a.Utilization), string.Format(inv, "{0:P1}", a.ProbabilityOfWait),
                a.GoalQuantileWaitMs is { } w ? string.Format(inv, "{0:0.##} ms", w) : "unbounded");
        }
        console.Write(alternatives);
        foreach (var reason in r.Reasons)
        {
            CliApp.MarkupLineUnwrapped(console, "  - " + Markup.Escape(reason));
        }
        if (report.TwoQueue is { } t)
        {
            var two = new Table().Title($"Behind the pooler ({Markup.Escape(t.Mode)} mode): [{(t.Verdict == SizingVerdict.Recommended ? "green" : "red")}]{t.Verdict}[/]").AddColumns("Queue", "Size", "Busy", "Bound", "Wait");
            two.AddRow("App pool / instance", $"[bold]{t.ApplicationPoolSize}[/]", string.Format(inv, "{0:0.##}", t.ApplicationOfferedLoad),
                string.Format(inv, "≤ {0} (max_client_conn)", t.ClientBudgetPerInstance), Wait(t.PredictedApplicationWaitMs));
            two.AddRow("Pooler pool / pair", $"[bold]{t.PoolerPoolSize}[/]", string.Format(inv, "{0:0.##}", t.ServerOfferedLoad),
                t.ServerBudgetPerPair is { } b ? string.Format(inv, "≤ {0} (server slots)", b) : "server unknown", Wait(t.PredictedPoolerWaitMs));
            console.Write(two);
            foreach (var reason in t.Reasons) CliApp.MarkupLineUnwrapped(console, "  - " + Markup.Escape(reason));
            foreach (var warning in t.Warnings) CliApp.MarkupLineUnwrapped(console, "  [yellow]warning:[/] " + Markup.Escape(warning));
            CliApp.MarkupLineUnwrapped(console, string.Format(inv, "Connection string: [bold]Maximum Pool Size={0};Minimum Pool Size={1};Timeout={2:0}{3}[/]; pgbouncer.ini: [bold]default_pool_size = {4}[/], max_client_conn ≥ {5}",
                t.ApplicationPoolSize, t.ApplicationMinimumPoolSize, t.TimeoutSeconds, t.Mode == "session" ? "" : ";No Reset On Close=true", t.PoolerPoolSize, t.FleetClientConnections));
            return;
        }
        CliApp.MarkupLineUnwrapped(console, string.Format(inv, "Connection string: [bold]Maximum Pool Size={0};Minimum Pool Size={1};Timeout={2:0}[/]", r.MaximumPoolSize, r.MinimumPoolSize, r.TimeoutSeconds));

        static string Wait(double? ms) => ms is { } w ? string.Format(CultureInfo.InvariantCulture, "{0:0.##} ms", w) : "unbounded";
    }
}
