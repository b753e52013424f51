using Lifeguard.Sizing;

namespace Lifeguard.Tests.Sizing;

public sealed class SweepAnalysisTests
{
    private static SweepPoint P(int size, double throughput, double p99, double errorRate = 0, double waitP99 = 0, double leases = 80) => new()
    {
        PoolSize = size,
        ThroughputRps = throughput,
        P99Ms = p99,
        ErrorRate = errorRate,
        PoolWaitP99Ms = waitP99,
        LeasesPerSecond = leases,
        ErrorsByKind = new Dictionary<string, long>(),
    };

    // A typical sweep: small pools starve, the middle is flat, the largest gets slower from contention.
    private static readonly SweepPoint[] Typical =
    [
        P(2, 38, 5000, 0.39, 7000), P(4, 70, 2600, 0, 4700), P(5, 78, 400, 0, 120), P(6, 79, 210, 0, 2),
        P(8, 80, 190, 0, 0.4), P(10, 80, 200, 0, 0.2), P(16, 80, 205, 0, 0.1), P(100, 79, 600, 0, 0.1),
    ];

    [Fact]
    public void BestMeasured_TypicalSweep_IsSmallestSizeWithinTenPercentOfBestP99AndThroughput()
    {
        SweepAnalysis.Best(Typical).ShouldBe((190, 80));
        SweepAnalysis.BestMeasured(Typical, 0.10).PoolSize.ShouldBe(8); // 6 is 10.5 % slower than the best p99
    }

    [Fact]
    public void Best_SizeWithManyErrors_DoesNotSetTheBestP99()
    {
        // Failing fast can give a low p99; a size that failed 40 % of its requests is not the best.
        SweepPoint[] points = [P(2, 40, 50, 0.4), P(8, 80, 190)];
        SweepAnalysis.Best(points).BestP99Ms.ShouldBe(190);
        SweepAnalysis.BestMeasured(points, 0.10).PoolSize.ShouldBe(8);
    }

    [Fact]
    public void Reference_TypicalSweep_IsSmallestSizeWhereNothingWaited()
    {
        SweepAnalysis.Reference(Typical).PoolSize.ShouldBe(8);
    }

    [Fact]
    public void Reference_EverySizeWaits_FallsBackToLargest()
    {
        SweepAnalysis.Reference([P(2, 38, 5000, 0.4, 7000), P(4, 70, 2600, 0, 4700)]).PoolSize.ShouldBe(4);
    }

    [Fact]
    public void Compare_TypicalSweep_RowsForAdvisorBestHikariAndNpgsqlDefault()
    {
        var rows = SweepAnalysis.Compare(Typical, advisorSize: 10, databaseCores: 2, tolerance: 0.10);

        rows.Select(r => (r.Rule, r.PoolSize, r.WithinTolerance)).ShouldBe(
        [
            ("advisor", 10, true),
            ("best_measured", 8, true),
            ("hikaricp_cores_x2_plus_1", 5, false),
            ("npgsql_default", 100, false),
        ]);
    }

    [Fact]
    public void Compare_AdvisorSizeNotMeasured_Throws()
    {
        Should.Throw<InvalidOperationException>(() => SweepAnalysis.Compare(Typical, advisorSize: 12, databaseCores: 2, tolerance: 0.10));
    }

    [Fact]
    public void Combine_ThreeRounds_MediansAndSummedErrors()
    {
        var rounds = new[]
        {
            P(8, 80, 120) with { Requests = 1600, Errors = 0, ErrorsByKind = new Dictionary<string, long>() },
            P(8, 79, 300) with { Requests = 1600, Errors = 16, ErrorsByKind = new Dictionary<string, long> { ["http_503"] = 16 } },
            P(8, 78, 140) with { Requests = 1600, Errors = 0, ErrorsByKind = new Dictionary<string, long>() },
        };

        var combined = SweepAnalysis.Combine(rounds);

        combined.Rounds.ShouldBe(3);
        combined.P99Ms.ShouldBe(140); // one noisy round does not decide the row
        combined.P99MsByRound.ShouldBe([120, 300, 140]);
        combined.ThroughputRps.ShouldBe(79);
        combined.Errors.ShouldBe(16);
        combined.ErrorRate.ShouldBe(Math.Round(16 / 4800.0, 4));
        combined.ErrorsByKind["http_503"].ShouldBe(16);
    }
}
