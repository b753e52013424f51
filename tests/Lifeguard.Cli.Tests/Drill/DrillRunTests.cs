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
