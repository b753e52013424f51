using System.Text.Json;
using Lifeguard.Diagnosis;

namespace Lifeguard.Tests.Diagnosis;

/// <summary>
/// Replays signals recorded from the real website: `./run.sh` on a 2-core host, 19 quiet seconds, then
/// `lifeguard load --users 32 --duration 60s` (closed loop, pool of 8, the load, the site and PostgreSQL on the same
/// two cores), one `signals` object of /lifeguard/diagnosis per second. Pure logic: no server.
/// </summary>
public sealed class DiagnoserTraceTests
{
    private static List<DiagnosisSample> Trace(string name) =>
        File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Diagnosis", "Traces", name))
            .Where(l => l.Length > 0)
            .Select(l => JsonSerializer.Deserialize<DiagnosisSample>(l, JsonSerializerOptions.Web)!)
            .ToList();

    private static List<DiagnosisCause> Replay(IEnumerable<DiagnosisSample> samples, DiagnosisOptions options)
    {
        var d = new Diagnoser(options);
        return samples.Select(s => d.Observe(s).Cause).ToList();
    }

    private static int Changes(List<DiagnosisCause> causes) => causes.Zip(causes.Skip(1)).Count(p => p.First != p.Second);

    [Fact]
    public void Replay_BusyTwoCoreHost_TheStayHysteresisMeansFewerChangesOfCause()
    {
        var trace = Trace("two-core-host-under-load.jsonl");
        trace.Count.ShouldBe(94);
        trace.ShouldAllBe(s => s.Pool != null && s.Server != null && s.Server.Reachable);

        // The stay alone: the confidence gate (MinConfidence) adds its own changes through unknown, judged by the corpus.
        var steady = Replay(trace, new DiagnosisOptions { MinConfidence = 0 });
        var edge = Replay(trace, new DiagnosisOptions { StaySeconds = 3, MinConfidence = 0 }); // a cause leaves as soon as it holds in fewer than it took to be named
        var report = $"stay 2: {Changes(steady)} changes {string.Join(' ', steady)}{Environment.NewLine}stay 3: {Changes(edge)} changes {string.Join(' ', edge)}";

        Changes(steady).ShouldBeLessThan(Changes(edge), report);
        // The quiet start and the end after the load read healthy either way; the load never reads as a fault of the
        // server (no lock, no slots, no outage: the host's CPU is shared, nothing else happened).
        steady.Take(15).ShouldAllBe(c => c == DiagnosisCause.Healthy, report);
        steady.TakeLast(10).ShouldAllBe(c => c == DiagnosisCause.Healthy, report);
        steady.ShouldAllBe(c => c == DiagnosisCause.Healthy || c == DiagnosisCause.Unknown || c == DiagnosisCause.PoolTooSmall, report);
    }
}
