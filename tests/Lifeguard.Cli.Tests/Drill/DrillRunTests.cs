using Lifeguard.Cli.Drill;

namespace Lifeguard.Cli.Tests.Drill;

public sealed class DrillRunTests
{
    [Fact]
    public void From_PhaseWithRetryLaterAndTimeouts_OtherErrorsAreTheRest()
    {
        var phase = new DrillPhase
        {
            Name = "incident+admission",
            MaxPoolSize = 2,
            AdmissionBudgetMs = 1000,
            StartS = 10,
            EndS = 22.5,
            Requests = 200,
            Errors = 120,
            RetryLater = 100,
            AdmissionRejections = 100,
            ErrorsByKind = new SortedDictionary<string, long>(StringComparer.Ordinal),
        };

        var run = DrillRun.From("with", phase);

        run.OtherErrors.ShouldBe(20);
        run.OtherErrorRate.ShouldBe(0.1);
        run.ShareRetryLater.ShouldBe(0.5);
        run.DurationS.ShouldBe(12.5);
        run.AdmissionBudgetMs.ShouldBe(1000);
    }
}

public sealed class DrillCommandAdmissionTests
{
    [Theory]
    [InlineData("lock", "1s")]
    [InlineData("pool", "0s")]
    [InlineData("pool", "11m")]
    public async Task Drill_AdmissionWhereItDoesNotApplyOrOutOfRange_FailsBeforeStartingAnything(string fault, string budget)
    {
        using var cli = new CliRunner();

        // A port nothing listens on: had the drill started, it would have tried (and failed slowly) to start PostgreSQL there.
        var (exit, _, json) = await cli.RunAsync("drill", "--fault", fault, "--admission", budget, "--pg-port", "1", "--out", cli.PathFor("drill"));

        exit.ShouldBe(1);
        json.ShouldBeNull();
        Directory.Exists(cli.PathFor("drill")).ShouldBeFalse();
    }
}

public sealed class SurgeRateTests
{
    [Theory]
    // 10 connections, 1.5 leases of 200 ms per request: the pool serves 33 req/s; 1.5x that is the surge.
    [InlineData(1.5, 200, 50)]
    // Queries so slow the pool serves less than normal traffic: still twice normal traffic.
    [InlineData(1.5, 5000, 16)]
    // Nothing measured: four times normal traffic, times the factor, within the cap.
    [InlineData(0, 0, 48)]
    // Queries so fast the surge would flood the machine: capped.
    [InlineData(1.5, 10, 150)]
    public void SurgeRate_MeasuredCapacity_IsAnExcessWithinBounds(double leases, double holdMs, double expected) =>
        DrillRunner.SurgeRate(10, 8, leases, holdMs, 1.5).ShouldBe(expected, 0.1);
}
