using Lifeguard.Diagnosis;
using Lifeguard.Diagnosis.Accuracy;

namespace Lifeguard.Tests.Diagnosis.Accuracy;

/// <summary>
/// The stated confidence means a hit rate: fitted on the accuracy corpus's committed traces (the raw score of every
/// candidate, no threshold), applied by the diagnoser, and checked against what the same traces measure. Pure: no server.
/// </summary>
public sealed class ConfidenceCalibrationTests
{
    private static readonly string Directory = Path.Combine(AppContext.BaseDirectory, "Diagnosis", "Corpus");

    private static IReadOnlyList<(CorpusTraceHeader, IReadOnlyList<AnsweredSecond>)> Replay(DiagnosisOptions? options) =>
        [.. CorpusTrace.ReadAll(Directory).Select(t => (t.Header, CorpusReplay.Replay(t, options)))];

    [Fact]
    public void Fit_HitRateFallsAsRawRises_PoolsTheViolatorsIntoOneMonotoneSmoothedBlock()
    {
        // raw 0.5: 8 of 10 right; 0.6: 6 of 10 (a violator, pooled with 0.5); 0.9: 30 of 30
        var seconds = Enumerable.Range(0, 10).Select(i => (0.5, i < 8))
            .Concat(Enumerable.Range(0, 10).Select(i => (0.6, i < 6)))
            .Concat(Enumerable.Range(0, 30).Select(_ => (0.9, true)));

        var c = ConfidenceCalibration.Fit(seconds, "test");

        c.Blocks.Count.ShouldBe(2);
        c.Blocks[0].Seconds.ShouldBe(20);
        c.Blocks[0].Calibrated.ShouldBe(15.0 / 22, 0.001); // (14 right + 1) / (20 + 2)
        c.Blocks[1].Calibrated.ShouldBe(31.0 / 32, 0.001);
        c.Apply(0.3).ShouldBe(0.68);  // below the first block: its value
        c.Apply(0.7).ShouldBe(0.68);  // between blocks: the one below
        c.Apply(1).ShouldBe(0.97);
    }

    [Fact]
    public void Observe_NamedCause_StatesTheCalibratedConfidenceOfItsRawScore()
    {
        // A pinned pool, held between statements (strength 0.8), named on 4 of 5 seconds: raw 0.64.
        var t0 = new DateTimeOffset(2023, 2, 10, 9, 45, 0, TimeSpan.Zero);
        PoolSecond Pool(int inUse, int waiters) => new() { InUse = inUse, Max = 10, Waiters = waiters, Leases = 40, Returned = 40, HoldP50Ms = 4, HoldP99Ms = 12, WaitP99Ms = waiters > 0 ? 900 : 0.1, Errors = ConnectionErrorCounts.None };
        var server = new ServerSignals { Reachable = true, MaxConnections = 100, ReservedConnections = 3, Backends = 12, Active = 1, ActiveOnCpu = 1, Cores = 4, RoundTripMs = 0.5, StatementsAvailable = true, ApplicationName = "Lifeguard.Website", AppActive = 0 };
        DiagnosisReport Fourth(DiagnosisOptions o)
        {
            var d = new Diagnoser(o);
            for (var i = 0; i < 10; i++) d.Observe(new DiagnosisSample(t0.AddSeconds(i), Pool(2, 0), server));
            DiagnosisReport last = null!;
            for (var i = 0; i < 4; i++) last = d.Observe(new DiagnosisSample(t0.AddSeconds(10 + i), Pool(10, 30), server));
            return last;
        }

        var raw = Fourth(new DiagnosisOptions { MinConfidence = 0, CalibrateConfidence = false });
        var calibrated = Fourth(new DiagnosisOptions { MinConfidence = 0 });

        raw.Cause.ShouldBe(DiagnosisCause.PoolTooSmall);
        raw.Confidence.ShouldBe(0.64);
        calibrated.Cause.ShouldBe(DiagnosisCause.PoolTooSmall);
        calibrated.Confidence.ShouldBe(ConfidenceCalibration.Default.Apply(0.64));
        calibrated.Confidence.ShouldNotBe(0.64); // the committed map moves it (0.6-0.72 raw were right about 95 % of the time)
    }

    [Fact]
    public void Committed_IsTheFitOfTheCommittedTraces()
    {
        // A change to the traces or the rules refits it: lifeguard drill --replay <Corpus> --write-calibration
        // src/Lifeguard/Diagnosis/confidence-calibration.json (docs/accuracy.md).
        var fitted = ConfidenceCalibration.Fit(ConfidenceBucket.Named(Replay(new DiagnosisOptions { MinConfidence = 0, CalibrateConfidence = false })), "");

        ConfidenceCalibration.Default.Blocks.ShouldBe(fitted.Blocks);
    }

    [Fact]
    public void Replay_CalibratedConfidence_EachBucketStatesItsMeasuredHitRate()
    {
        var buckets = ConfidenceBucket.Of(Replay(null));

        buckets.Sum(b => b.Seconds).ShouldBeGreaterThan(500);
        // Buckets of at least 20 seconds: the stated mean within 0.1 of the share right (a handful of seconds measures nothing).
        foreach (var b in buckets.Where(b => b.Seconds >= 20))
            Math.Abs(b.MeanStated!.Value - b.HitRate!.Value).ShouldBeLessThanOrEqualTo(0.1, $"bucket [{b.From}, {b.To}): {b.Seconds} s stated {b.MeanStated}, right {b.HitRate}");
    }
}
