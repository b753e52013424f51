using System.Text.Json;
using Lifeguard.Cli.Drill;

namespace Lifeguard.Cli.Tests.Drill.Corpus;

/// <summary>`lifeguard drill --replay` on the committed corpus traces: the report, the baseline check, bad options.</summary>
public sealed class CorpusReplayCommandTests
{
    private static readonly string Traces = Path.Combine(Checkout.Find().Root, "tests", "Lifeguard.Tests", "Diagnosis", "Corpus");

    [Fact]
    public async Task Replay_CommittedTraces_WritesReportAndHoldsTheBaseline()
    {
        using var cli = new CliRunner();
        var output = cli.PathFor("replay");

        var (exit, _, _) = await cli.RunAsync("drill", "--replay", Traces, "--baseline", Path.Combine(Traces, "baseline.json"), "--out", output);

        exit.ShouldBe(0, cli.Progress);
        File.ReadAllText(Path.Combine(output, "accuracy.md")).ShouldContain("Confusion matrix");
        new FileInfo(Path.Combine(output, "confusion.png")).Length.ShouldBeGreaterThan(1000);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "accuracy.json")));
        json.RootElement.GetProperty("fault_scenarios").GetInt32().ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task Replay_WriteCalibration_RegeneratesTheCommittedCalibration()
    {
        using var cli = new CliRunner();
        var path = cli.PathFor("calibration.json");

        var (exit, _, _) = await cli.RunAsync("drill", "--replay", Traces, "--write-calibration", path);

        exit.ShouldBe(0, cli.Progress);
        using var written = JsonDocument.Parse(File.ReadAllText(path));
        using var committed = JsonDocument.Parse(File.ReadAllText(Path.Combine(Checkout.Find().Root, "src", "Lifeguard", "Diagnosis", "confidence-calibration.json")));
        written.RootElement.GetProperty("blocks").GetArrayLength().ShouldBeGreaterThan(1);
        written.RootElement.GetProperty("blocks").GetRawText().ShouldBe(committed.RootElement.GetProperty("blocks").GetRawText());
    }

    [Fact]
    public async Task Replay_BaselineAboveWhatTheRulesAchieve_FailsNamingTheRegression()
    {
        using var cli = new CliRunner();
        var baseline = cli.Write("baseline.json", """{ "fault_scenarios": 1000, "fault_scenarios_right": 1000, "harmful_scenarios": 0, "control_healthy_share": 1, "right": [] }""");

        var (exit, _, _) = await cli.RunAsync("drill", "--replay", Traces, "--baseline", baseline);

        exit.ShouldBe(1);
    }

    [Theory]
    [InlineData("--replay", "/nonexistent/traces")]
    [InlineData("--replay", "x", "--corpus", "y")]
    [InlineData("--corpus", "/nonexistent/corpus.yaml")]
    [InlineData("--corpus", "bench/corpus/corpus.yaml", "--baseline", "b.json")]
    [InlineData("--replay", "x", "--min-confidence", "2")]
    public async Task Drill_BadCorpusOptions_FailWithoutRunning(params string[] args)
    {
        using var cli = new CliRunner();

        var (exit, _, _) = await cli.RunAsync(["drill", .. args]);

        exit.ShouldBe(1);
    }
}
