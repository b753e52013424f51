using System.CommandLine;
using System.Globalization;
using Lifeguard.Cli.Drill.Corpus;
using Lifeguard.Cli.Drill.Faults;
using Lifeguard.Cli.Load;

namespace Lifeguard.Cli.Drill;

/// <summary>`lifeguard drill`: replays the February 10 incident end to end and writes JSON, Markdown and a PNG timeline.</summary>
internal static class DrillCommand
{
    public static Command Create()
    {
        var quick = new Option<bool>("--quick") { Description = "Short drill for CI (at most 60 s)." };
        var pgPort = new Option<int>("--pg-port") { Description = "Port of the private PostgreSQL (started if not running).", DefaultValueFactory = _ => 54329 };
        var pgData = new Option<string?>("--pg-data") { Description = "Data directory of that PostgreSQL (default .data/pg)." };
        var badSize = new Option<int>("--pool-size") { Description = "The misconfigured Maximum Pool Size.", DefaultValueFactory = _ => 2 };
        var delay = new Option<string>("--network-delay") { Description = "One-way delay between website and database.", DefaultValueFactory = _ => "4ms" };
        var slo = new Option<string>("--slo") { Description = "Latency objective (request p99).", DefaultValueFactory = _ => "1s" };
        var output = new Option<string>("--out") { Description = "Directory for drill.md, drill.png and drill.json.", DefaultValueFactory = _ => "artifacts/drill" };
        var json = new Option<string?>("--json") { Description = "Also write the JSON report to this path." };
        var fault = new Option<string>("--fault") { Description = "The fault to inject: " + string.Join("|", DrillFaults.All) + " (pool: the February 10 incident).", DefaultValueFactory = _ => DrillFaults.Pool };
        var admission = new Option<string?>("--admission") { Description = "With --fault pool: replay the incident a second time with admission control on (this budget, e.g. 1s) and report both runs side by side. With --fault cpu: the budget of the admission-control demonstration (default 1s)." };
        var all = new Option<bool>("--all") { Description = "Run every fault in turn and print one table (with --quick: the CI run)." };
        var incidentsUrl = new Option<string?>("--incidents-url") { Description = $"The incident service the fault is reported to as an alert, so the report links its postmortem (default $LIFEGUARD_INCIDENTS_URL or {IncidentLink.DefaultUrl}; off: none). Not running: one line, the drill goes on." };
        var incidentsToken = new Option<string?>("--incidents-token-file") { Description = "Its bearer token (default $LIFEGUARD_INCIDENTS_TOKEN, else .data/incidents.token, run.sh's)." };

        var instances = new Option<int>("--instances") { Description = "With --fault fleet: website instances on the fleet's server (2 to 6).", DefaultValueFactory = _ => 3 };
        var fleetPgPort = new Option<int?>("--fleet-pg-port") { Description = "With --fault fleet or --corpus (its fleet scenarios): port of the fleet's own small PostgreSQL (max_connections 25; started if not running, in .data/fleet-drill-PORT; default --pg-port + 2)." };
        var corpus = new Option<string?>("--corpus") { Description = "Run a fault corpus (e.g. bench/corpus/corpus.yaml) live: every scenario's per-second diagnosis kept as a trace in --out/traces, the accuracy scored (docs/accuracy.md)." };
        var seed = new Option<int>("--seed") { Description = "With --corpus: the seed of the scenarios' order and drawn intensities.", DefaultValueFactory = _ => 1 };
        var only = new Option<string?>("--only") { Description = "With --corpus: run only these scenarios (NAME,NAME,...). With --replay: print these scenarios' replayed answer second by second." };
        var maxDuration = new Option<string?>("--max-duration") { Description = "With --corpus: start no scenario after this long (e.g. 45m)." };
        var replay = new Option<string?>("--replay") { Description = "Re-score the traces in this directory and its subdirectories (one per recorded run; a scenario recorded by several seeds scored as NAME@SEED) through the current rules (no server, seconds)." };
        var baseline = new Option<string?>("--baseline") { Description = "With --replay: fail when accuracy, harmful answers or healthy controls regress against this baseline JSON." };
        var writeBaseline = new Option<string?>("--write-baseline") { Description = "With --replay: write the replay's figures as a baseline JSON." };
        var minConfidence = new Option<double?>("--min-confidence") { Description = "With --replay: answer unknown below this stated confidence (to judge a threshold against the corpus)." };
        var writeCalibration = new Option<string?>("--write-calibration") { Description = "With --replay: fit the confidence calibration (stated confidence -> measured hit rate) from these traces and write it as JSON (src/Lifeguard/Diagnosis/confidence-calibration.json is the committed one)." };
        var asRecorded = new Option<bool>("--as-recorded") { Description = "With --replay: score what the live site answered when the traces were recorded, not today's rules." };

        var command = new Command("drill", "Inject a fault for real (default: the pool-misconfiguration incident; --fault, --all), let the live diagnosis name it, apply the fix that fits the cause, verify recovery.")
        {
            quick, pgPort, pgData, badSize, delay, slo, output, json, fault, all, admission, incidentsUrl, incidentsToken, instances, fleetPgPort,
            corpus, seed, only, maxDuration, replay, baseline, writeBaseline, minConfidence, asRecorded, writeCalibration,
        };
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(corpus) is not null || parse.GetValue(replay) is not null)
            {
                var outDir = parse.GetResult(output) is { Implicit: false } ? parse.GetValue(output)! : null;
                try
                {
                    if (parse.GetValue(corpus) is not null && parse.GetValue(replay) is not null) throw new CliException("--corpus runs a corpus live, --replay re-scores saved traces: one or the other.");
                    if (parse.GetValue(minConfidence) is { } mc && mc is < 0 or > 1) throw new CliException("--min-confidence must be between 0 and 1.");
                    var names = (parse.GetValue(only) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    if (parse.GetValue(replay) is { } traces)
                        return await CorpusCommand.ReplayAsync(traces, parse.GetValue(baseline), parse.GetValue(writeBaseline), outDir, parse.GetValue(minConfidence), parse.GetValue(asRecorded), ct, names, parse.GetValue(writeCalibration)).ConfigureAwait(false);
                    if (parse.GetValue(baseline) is not null || parse.GetValue(writeBaseline) is not null || parse.GetValue(asRecorded)) throw new CliException("--baseline, --write-baseline and --as-recorded apply to --replay.");
                    TimeSpan? max = parse.GetValue(maxDuration) is { } m ? DurationParser.Parse(m, "--max-duration") : null;
                    if (parse.GetValue(seed) < 0) throw new CliException("--seed must be 0 or more.");
                    return await CorpusCommand.RunLiveAsync(new CorpusCommand.LiveOptions(parse.GetValue(corpus)!, parse.GetValue(seed), names, max, outDir ?? "artifacts/corpus", parse.GetValue(pgPort), parse.GetValue(pgData), parse.GetValue(fleetPgPort)), ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is ArgumentException or CliException or InvalidDataException or DirectoryNotFoundException)
                {
                    Console.Error.WriteLine($"lifeguard drill: {(e is ArgumentException a ? a.Message.Replace($" (Parameter '{a.ParamName}')", "", StringComparison.Ordinal) : e.Message)}");
                    return CliApp.Failure;
                }
            }

            DrillOptions options;
            try
            {
                options = new DrillOptions
                {
                    Quick = parse.GetValue(quick),
                    PgPort = parse.GetValue(pgPort),
                    PgDataDir = parse.GetValue(pgData),
                    MisconfiguredPoolSize = parse.GetValue(badSize),
                    NetworkDelay = DurationParser.Parse(parse.GetValue(delay)!, "--network-delay"),
                    Slo = DurationParser.Parse(parse.GetValue(slo)!, "--slo"),
                    OutputDirectory = parse.GetValue(output)!,
                    Fault = parse.GetValue(fault)!,
                    AdmissionBudget = parse.GetValue(admission) is { } a ? DurationParser.Parse(a, "--admission") : null,
                    FleetInstances = parse.GetValue(instances),
                    FleetPgPort = parse.GetValue(fleetPgPort),
                };
                if (options.FleetInstances is < 2 or > 6) throw new CliException("--instances must be between 2 and 6 (the fleet's instances on its one small server).");
                if (options.FleetPgPort is { } fp && fp is < 1024 or > 65535) throw new CliException("--fleet-pg-port must be a port from 1024 to 65535.");
                if (options.Fault != DrillFaults.Fleet && (parse.GetResult(instances) is { Implicit: false } || options.FleetPgPort is not null))
                    throw new CliException("--instances and --fleet-pg-port apply to --fault fleet.");
                _ = DrillFaults.ExpectedCause(options.Fault);
            }
            catch (Exception e) when (e is ArgumentException or CliException)
            {
                // ArgumentException appends " (Parameter 'x')" to its message: the user needs only the first part.
                Console.Error.WriteLine($"lifeguard drill: {(e is ArgumentException a ? a.Message.Replace($" (Parameter '{a.ParamName}')", "", StringComparison.Ordinal) : e.Message)}");
                return CliApp.Failure;
            }

            if (options.AdmissionBudget is { } budget && (budget < TimeSpan.FromMilliseconds(1) || budget > TimeSpan.FromMinutes(10)))
            {
                Console.Error.WriteLine("lifeguard drill: --admission must be between 1ms and 10m (the longest a request waits for a connection before it is answered 503).");
                return CliApp.Failure;
            }

            if (options.AdmissionBudget is not null && !parse.GetValue(all) && options.Fault is not (DrillFaults.Pool or DrillFaults.Cpu))
            {
                Console.Error.WriteLine($"lifeguard drill: --admission applies to --fault pool (the replay with admission control) and cpu (its demonstration), not to {options.Fault}.");
                return CliApp.Failure;
            }

            if (options.MisconfiguredPoolSize is < 1 or > 50)
            {
                Console.Error.WriteLine("lifeguard drill: --pool-size must be between 1 and 50 (it is the misconfigured, too-small pool).");
                return CliApp.Failure;
            }

            var service = parse.GetValue(incidentsUrl) ?? Environment.GetEnvironmentVariable("LIFEGUARD_INCIDENTS_URL") ?? IncidentLink.DefaultUrl;
            IncidentLink? link = null;
            DrillIncident? absent = null;
            if (!string.Equals(service, "off", StringComparison.OrdinalIgnoreCase))
            {
                if (!Uri.TryCreate(service, UriKind.Absolute, out var serviceUri) || serviceUri.Scheme is not ("http" or "https"))
                {
                    Console.Error.WriteLine("lifeguard drill: --incidents-url must be an absolute http(s) URL, or off.");
                    return CliApp.Failure;
                }

                string? root = null;
                try { root = Checkout.Find().Root; } catch (InvalidOperationException) { }
                (link, absent) = await IncidentLink.ConnectAsync(serviceUri, IncidentLink.ReadToken(parse.GetValue(incidentsToken), root), Say, ct).ConfigureAwait(false);
            }

            using var linkScope = link;
            if (parse.GetValue(all))
            {
                var results = await DrillSuite.RunAsync(options, DrillFaults.All, Say, ct, link).ConfigureAwait(false);
                Console.Out.Write(DrillSuite.Table(results));
                await CliJson.WriteAsync(Path.Combine(options.OutputDirectory, "drill-all.json"), results, ct).ConfigureAwait(false);
                await File.WriteAllTextAsync(Path.Combine(options.OutputDirectory, "drill-all.md"), DrillSuite.Table(results), ct).ConfigureAwait(false);
                return results.All(r => r.Passed) ? 0 : 1;
            }

            DrillReport report;
            try
            {
                report = await new DrillRunner(options, Say) { Incident = link }.RunAsync(ct).ConfigureAwait(false);
                report = report with { Incident = link is null ? absent : await link.CompleteAsync(report.Recovered, ct).ConfigureAwait(false) };
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException or LoginFailedException or HttpRequestException or Npgsql.NpgsqlException)
            {
                // an alert the drill raised must not stay firing because the drill failed after naming the cause
                if (link is not null) await link.CompleteAsync(false, CancellationToken.None).ConfigureAwait(false);
                // ArgumentException appends " (Parameter 'x')" to its message: the user needs only the first part.
                Console.Error.WriteLine($"lifeguard drill: {(e is ArgumentException a ? a.Message.Replace($" (Parameter '{a.ParamName}')", "", StringComparison.Ordinal) : e.Message)}");
                return 1;
            }

            await WriteReportAsync(report, options.OutputDirectory, parse.GetValue(json), ct).ConfigureAwait(false);

            // The drill fails when it could not show the incident, name its cause, or recover from it, and with --admission
            // when the replay missed the goal (no request that slow, no failure but 503 + Retry-After).
            var replayMissed = report.Comparison is { Kind: DrillComparison.AdmissionReplay, Holds: false };
            return report.Passed && !replayMissed ? 0 : 1;
        });
        return command;
    }

    /// <summary>Writes drill.json, drill.md and drill.png into <paramref name="directory"/>.</summary>
    internal static async Task<DrillReport> WriteReportAsync(DrillReport report, string directory, string? jsonPath, CancellationToken ct)
    {
        Directory.CreateDirectory(directory);
        var png = Path.Combine(directory, "drill.png");
        var md = Path.Combine(directory, "drill.md");
        DrillPlot.Save(report, png);
        report = report with { PlotPath = Path.GetFullPath(png), MarkdownPath = Path.GetFullPath(md) };
        await File.WriteAllTextAsync(md, DrillMarkdown.Render(report, "drill.png"), ct).ConfigureAwait(false);
        await CliJson.WriteAsync(Path.Combine(directory, "drill.json"), report, ct).ConfigureAwait(false);
        if (jsonPath is not null) await CliJson.WriteAsync(jsonPath, report, ct).ConfigureAwait(false);
        Say($"report: {md}, {png}{(jsonPath is null ? "" : ", " + jsonPath)}");
        return report;
    }

    internal static void Say(string line) =>
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{DateTime.Now:HH:mm:ss} {line}"));
}
