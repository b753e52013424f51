using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Lifeguard.Cli.Drill.Engine;
using Lifeguard.Cli.Drill.Fleet;
using Lifeguard.Cli.Drill.Reporting;
using Lifeguard.Cli.Load;
using Lifeguard.Contracts;
using Lifeguard.Diagnosis;
using Lifeguard.Diagnosis.Accuracy;

namespace Lifeguard.Cli.Drill.Corpus;

/// <summary>
/// `lifeguard drill --corpus FILE` (run the scenarios live, keep each one's trace, score the diagnosis) and
/// `lifeguard drill --replay DIR` (re-score saved traces through today's rules, in seconds, no server).
/// </summary>
internal static class CorpusCommand
{
    /// <param name="FleetPgPort">The fleet scenarios' own small server (the fleet drill's); null: <paramref name="PgPort"/> + 2.</param>
    public sealed record LiveOptions(string CorpusPath, int Seed, IReadOnlyCollection<string> Only, TimeSpan? MaxDuration, string Output, int PgPort, string? PgDataDir, int? FleetPgPort = null);

    /// <summary>Runs the corpus live, writes its report; returns the exit code (0 when every scenario ran).</summary>
    public static async Task<int> RunLiveAsync(LiveOptions o, CancellationToken ct)
    {
        var (traces, failed) = await RunAsync(o, DrillCommand.Say, ct).ConfigureAwait(false);
        if (traces.Count == 0)
        {
            Console.Error.WriteLine("lifeguard drill: no corpus scenario ran");
            return 1;
        }
        var score = CorpusScore.Of([.. traces.Select(t => (t.Header, CorpusReplay.Live(t)))]);
        await CorpusReport.WriteAsync(score, o.Output, "Diagnosis accuracy, live corpus", ct).ConfigureAwait(false);
        Console.Out.WriteLine(CorpusReport.Summary(score));
        if (failed.Count > 0) Console.Out.WriteLine($"scenarios that failed to run: {string.Join(", ", failed)}");
        Console.Out.WriteLine($"report: {Path.Combine(o.Output, "accuracy.md")}; replay: lifeguard drill --replay {Path.Combine(o.Output, "traces")}");
        return failed.Count == 0 ? 0 : 1;
    }

    /// <summary>Runs the scenarios, saving each trace into the output's traces directory as it completes; a scenario
    /// that fails to run is named and the next one runs.</summary>
    public static async Task<(IReadOnlyList<CorpusTrace> Traces, IReadOnlyList<string> Failed)> RunAsync(LiveOptions o, Action<string> say, CancellationToken ct)
    {
        var file = CorpusFile.Load(o.CorpusPath);
        var scenarios = file.Draw(o.Seed, o.Only);
        var traceDir = Path.Combine(o.Output, "traces");
        Directory.CreateDirectory(traceDir);
        say(F($"corpus {o.CorpusPath}: {scenarios.Count} scenario(s), seed {o.Seed}, traces into {traceDir}"));

        // The quick drill's database and timeouts: a 0.1 seed (a dropped index still costs a scan of 200,000 rows) and a
        // 5 s pool timeout, so a fault's failures appear within its window.
        var options = new DrillOptions { Quick = true, PgPort = o.PgPort, PgDataDir = o.PgDataDir, OutputDirectory = o.Output };
        var narrator = new DrillNarrator(say);
        await using var database = await SiteDatabase.PrepareAsync(options.PgPort, options.PgDataDir, options.SeedScale, say, ct).ConfigureAwait(false);
        await using var env = await DrillEnvironment.OpenAsync(options, database, narrator, ct).ConfigureAwait(false);
        var runner = new CorpusRunner(env, o.Seed, say);
        // The fleet's server is started with the first fleet scenario and kept for the others (seeded once, as the corpus's).
        FleetBench? fleetBench = null;
        var fleetRunner = new CorpusFleetRunner(async token => fleetBench ??= await FleetBench.OpenAsync(options, o.FleetPgPort ?? o.PgPort + 2, options.FleetMaxConnections, narrator, token).ConfigureAwait(false), o.Seed, say);
        var clock = Stopwatch.StartNew();
        var traces = new List<CorpusTrace>();
        var failed = new List<string>();
        try
        {
            foreach (var scenario in scenarios)
            {
                if (o.MaxDuration is { } max && clock.Elapsed > max)
                {
                    say(F($"--max-duration {max.TotalMinutes:0.#} min reached: {scenarios.Count - traces.Count - failed.Count} scenario(s) not run"));
                    break;
                }
                try
                {
                    var trace = scenario.IsFleet ? await fleetRunner.RunAsync(scenario, ct).ConfigureAwait(false) : await runner.RunAsync(scenario, ct).ConfigureAwait(false);
                    await CorpusTrace.WriteAsync(Path.Combine(traceDir, CorpusTrace.FileName(scenario.Name)), trace, ct).ConfigureAwait(false);
                    traces.Add(trace);
                    var live = ScenarioScore.Of(trace.Header, CorpusReplay.Live(trace));
                    say(F($"{scenario.Name}: expected {string.Join("|", scenario.Expect)}, verdict {live.Verdict} ({(live.Right ? "right" : "WRONG")}), first right {(live.FirstRightS is { } t ? t.ToString("0.0", CultureInfo.InvariantCulture) + " s" : "never")}{(live.Harmful ? ", HARMFUL " + string.Join("/", live.HarmfulCauses) : "")}"));
                }
                catch (Exception e) when (e is InvalidOperationException or TimeoutException or LoginFailedException or HttpRequestException or Npgsql.NpgsqlException or IOException)
                {
                    failed.Add(scenario.Name);
                    say($"{scenario.Name} failed: {e.Message}");
                }
            }
        }
        finally
        {
            if (fleetBench is not null) await fleetBench.DisposeAsync().ConfigureAwait(false);
        }
        return (traces, failed);
    }

    /// <summary>Re-scores saved traces through today's rules; with a baseline, fails (1) on a regression.</summary>
    public static async Task<int> ReplayAsync(string directory, string? baselinePath, string? writeBaseline, string? output, double? minConfidence, bool asRecorded, CancellationToken ct, IReadOnlyCollection<string>? show = null, string? writeCalibration = null)
    {
        var traces = CorpusTrace.ReadAll(directory);
        if (writeCalibration is not null)
        {
            // Fitted on the raw score of every candidate the rules would name (no threshold, no calibration), so the low
            // scores where the wrong answers are keep their measured hit rate.
            var raw = new DiagnosisOptions { MinConfidence = 0, CalibrateConfidence = false };
            var named = ConfidenceBucket.Named([.. traces.Select(t => (t.Header, CorpusReplay.Replay(t, raw)))]).ToList();
            var fitted = ConfidenceCalibration.Fit(named, F($"lifeguard drill --replay {directory} --write-calibration {writeCalibration}: {traces.Count} traces, {named.Count} named seconds, rules with no threshold and no calibration"));
            await File.WriteAllTextAsync(writeCalibration, fitted.ToJson() + "\n", ct).ConfigureAwait(false);
            Console.Out.WriteLine($"confidence calibration written: {writeCalibration} ({fitted})");
        }
        // Why a scenario reads as it does: each second's answer, its confidence and the diagnosis's summary.
        foreach (var trace in traces.Where(t => show?.Contains(t.Header.Scenario) == true))
        {
            Console.Out.WriteLine($"--- {trace.Header.Scenario} (accept {string.Join("|", trace.Header.Accept)})");
            foreach (var line in CorpusReplay.Explain(trace, minConfidence is { } mc ? new DiagnosisOptions { MinConfidence = mc } : null)) Console.Out.WriteLine(line);
        }
        var score = asRecorded
            ? CorpusScore.Of([.. traces.Select(t => (t.Header, CorpusReplay.Live(t)))])
            : Score(traces, minConfidence is { } min ? new DiagnosisOptions { MinConfidence = min } : null);
        Console.Out.WriteLine(asRecorded
            ? $"scored {traces.Count} trace(s) from {directory} as the live site answered when they were recorded"
            : F($"replayed {traces.Count} trace(s) from {directory} through the current rules{(minConfidence is { } m ? F($" (MinConfidence {m:0.##})") : "")}"));
        Console.Out.WriteLine(CorpusReport.Summary(score));
        Console.Out.WriteLine(CorpusReport.CalibrationTable(score));
        if (output is not null)
        {
            await CorpusReport.WriteAsync(score, output, "Diagnosis accuracy, corpus replay", ct).ConfigureAwait(false);
            Console.Out.WriteLine($"report: {Path.Combine(output, "accuracy.md")}");
        }
        if (writeBaseline is not null)
        {
            await File.WriteAllTextAsync(writeBaseline, JsonSerializer.Serialize(CorpusBaseline.From(score), BaselineJson), ct).ConfigureAwait(false);
            Console.Out.WriteLine($"baseline written: {writeBaseline}");
        }
        if (baselinePath is null) return 0;
        var regressions = ReadBaseline(baselinePath).Regressions(score);
        foreach (var r in regressions) Console.Out.WriteLine("REGRESSION: " + r);
        if (regressions.Count == 0) Console.Out.WriteLine($"no regression against {baselinePath}");
        return regressions.Count == 0 ? 0 : 1;
    }

    public static CorpusScore Score(IReadOnlyList<CorpusTrace> traces, DiagnosisOptions? options) =>
        CorpusScore.Of([.. traces.Select(t => (t.Header, CorpusReplay.Replay(t, options)))]);

    public static CorpusBaseline ReadBaseline(string path)
    {
        if (!File.Exists(path)) throw new CliException($"no baseline file {path}");
        try
        {
            return JsonSerializer.Deserialize<CorpusBaseline>(File.ReadAllText(path), BaselineJson) ?? throw new CliException($"{path} is empty");
        }
        catch (JsonException e)
        {
            throw new CliException($"{path}: not a corpus baseline ({e.Message})");
        }
    }

    private static readonly JsonSerializerOptions BaselineJson = new(ContractJson.Options) { WriteIndented = true };

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
