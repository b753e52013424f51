using Lifeguard.Cli.Drill;
using Lifeguard.Cli.Drill.Detection;
using Lifeguard.Diagnosis;

namespace Lifeguard.Cli.Tests.Drill.Detection;

public sealed class IncidentDetectorTests
{
    private static readonly TimeSpan Slo = TimeSpan.FromSeconds(1);

    private static DrillSample Second(double t, long requests = 10, long errors = 0, double p99 = 100) =>
        new() { T = t, Phase = "fault", Requests = requests, Errors = errors, P99Ms = p99 };

    private static Lifeguard.Diagnosis.DiagnosisReport Named(string cause) => new() { Cause = Parse(cause), Summary = cause + " summary", Evidence = ["e1"] };

    private static DiagnosisCause Parse(string cause) => DiagnosisCauses.TryParse(cause, out var c) ? c : throw new ArgumentException(cause);

    [Theory]
    [InlineData(0, 0, 100, true)]      // nothing completed under steady load: everyone is waiting
    [InlineData(10, 0, 1001, true)]    // p99 over the SLO
    [InlineData(100, 6, 100, true)]    // more than 5% errors
    [InlineData(100, 5, 100, false)]   // 5% exactly: not yet
    [InlineData(10, 0, 1000, false)]   // at the SLO: fine
    public void IsSymptom_OneSecond_UsersAffectedByNoneCompletedSlowOrFailing(long requests, long errors, double p99, bool symptom) =>
        IncidentDetector.IsSymptom(Second(0, requests, errors, p99), Slo).ShouldBe(symptom);

    [Fact]
    public void Observe_FirstSymptom_DetectedByUsersAtOnce()
    {
        var detector = new IncidentDetector(Slo);

        detector.Observe(Second(10), Named(DiagnosisCauses.Healthy), onsetT: 9).ShouldBe(DetectorEvents.None);
        detector.Observe(Second(11, requests: 0), null, onsetT: 9).ShouldBe(DetectorEvents.Detected);

        detector.DetectedAt.ShouldBe(2);
        detector.DetectedByUsers.ShouldBeTrue();
    }

    [Fact]
    public void Observe_DiagnosisBeforeUsersNotice_DetectedByTheDiagnosis()
    {
        var detector = new IncidentDetector(Slo);

        detector.Observe(Second(5), Named(DiagnosisCauses.LockContention), onsetT: 4).ShouldBe(DetectorEvents.Detected);

        detector.DetectedByUsers.ShouldBeFalse();
    }

    [Fact]
    public void Observe_CauseTwoSecondsRunning_NamedFromItsFirstSecond()
    {
        var detector = new IncidentDetector(Slo);

        detector.Observe(Second(1), Named(DiagnosisCauses.Unknown), 0);
        detector.Observe(Second(2), Named(DiagnosisCauses.SlowQueries), 0).HasFlag(DetectorEvents.Named).ShouldBeFalse();
        detector.Observe(Second(3), Named(DiagnosisCauses.SlowQueries), 0).HasFlag(DetectorEvents.Named).ShouldBeTrue();

        detector.Named!.Cause.ShouldBe(DiagnosisCause.SlowQueries);
        detector.NamedAt.ShouldBe(2);
        detector.DetectedAt.ShouldBe(1); // unknown is not healthy: a sign, though no cause to act on
    }

    [Fact]
    public void Observe_CauseFlipsOrUnread_StreakStartsAgain()
    {
        var detector = new IncidentDetector(Slo);

        detector.Observe(Second(1), Named(DiagnosisCauses.DatabaseCpu), 0);
        detector.Observe(Second(2), Named(DiagnosisCauses.SlowQueries), 0);
        detector.Observe(Second(3), null, 0);
        detector.Observe(Second(4), Named(DiagnosisCauses.SlowQueries), 0);
        detector.Named.ShouldBeNull();

        detector.Observe(Second(5), Named(DiagnosisCauses.SlowQueries), 0).ShouldBe(DetectorEvents.Named);
        detector.NamedAt.ShouldBe(4);
    }

    [Fact]
    public void Observe_SustainedSymptomWithCauseNamed_ConfirmedOnce()
    {
        var detector = new IncidentDetector(Slo);
        var pool = Named(DiagnosisCauses.PoolTooSmall);

        detector.Observe(Second(1, p99: 3000), pool, 0).ShouldBe(DetectorEvents.Detected);
        detector.Observe(Second(2, p99: 3000), pool, 0).ShouldBe(DetectorEvents.Named);
        detector.Observe(Second(3, p99: 3000), pool, 0).ShouldBe(DetectorEvents.Confirmed);
        detector.Observe(Second(4, p99: 3000), pool, 0).ShouldBe(DetectorEvents.None);

        detector.ConfirmedAt.ShouldBe(3);
    }

    [Fact]
    public void Observe_SymptomsInterrupted_NotConfirmedUntilSustainedAgain()
    {
        var detector = new IncidentDetector(Slo);
        var pool = Named(DiagnosisCauses.PoolTooSmall);

        detector.Observe(Second(1, p99: 3000), pool, 0);
        detector.Observe(Second(2, p99: 3000), pool, 0);
        detector.Observe(Second(3, p99: 200), pool, 0);
        detector.Observe(Second(4, p99: 3000), pool, 0);
        detector.Observe(Second(5, p99: 3000), pool, 0);
        detector.ConfirmedAt.ShouldBeNull();

        detector.Observe(Second(6, errors: 5, requests: 10), pool, 0).ShouldBe(DetectorEvents.Confirmed);
    }
}
