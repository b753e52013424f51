using Lifeguard.Diagnosis;
using Lifeguard.Diagnosis.Accuracy;

namespace Lifeguard.Tests.Diagnosis.Accuracy;

/// <summary>Reading a corpus of several recorded runs: each run's traces in a subdirectory, a scenario recorded by two
/// seeds scored as two scenarios.</summary>
public sealed class CorpusTraceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lifeguard-corpus-").FullName;

    private async Task WriteAsync(string subdirectory, string scenario, int seed)
    {
        var dir = Path.Combine(_dir, subdirectory);
        Directory.CreateDirectory(dir);
        var header = new CorpusTraceHeader { Scenario = scenario, Kind = CorpusKinds.Control, Accept = [DiagnosisCauses.Healthy], Seed = seed };
        await CorpusTrace.WriteAsync(Path.Combine(dir, CorpusTrace.FileName(scenario)), new CorpusTrace(header, [new CorpusTraceSecond { T = 0, Phase = CorpusPhases.Fault }]),
            TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task ReadAll_SameScenarioInTwoRuns_EachNamedWithItsSeedOthersAsRecorded()
    {
        await WriteAsync("", "control-quiet", 1);
        await WriteAsync("", "cpu-severe", 1);
        await WriteAsync("seed-2", "control-quiet", 2);

        CorpusTrace.ReadAll(_dir).Select(t => t.Header.Scenario).ShouldBe(["control-quiet@1", "control-quiet@2", "cpu-severe"]);
    }

    [Fact]
    public async Task ReadAll_SameScenarioAndSeedTwice_ErrorNamesIt()
    {
        await WriteAsync("a", "control-quiet", 2);
        await WriteAsync("b", "control-quiet", 2);

        Should.Throw<InvalidDataException>(() => CorpusTrace.ReadAll(_dir)).Message.ShouldContain("control-quiet recorded twice with seed 2");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
