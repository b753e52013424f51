using Lifeguard.Cli.Drill.Mitigations;
using Lifeguard.Diagnosis;

namespace Lifeguard.Cli.Tests.Drill.Mitigations;

public sealed class PoolerMitigationsTests
{
    private static Lifeguard.Diagnosis.DiagnosisReport Report(DiagnosisCause cause, string remedy, params PoolerHolder[] holders) => new()
    {
        Cause = cause,
        Summary = "s",
        Remedy = remedy,
        Signals = new DiagnosisSample(DateTimeOffset.UnixEpoch, null, null) { Pooler = new PoolerSignals { Reachable = true, Holders = holders } },
    };

    [Fact]
    public void NamedHolder_RemedyEndsAPid_TheHolderTheSignalsShowForIt()
    {
        var report = Report(DiagnosisCause.PoolerSaturated, "End or move the holder: server pid 42, application 'report' (SELECT pg_terminate_backend(42) on the server, or cancel the job)",
            new PoolerHolder(41, "site", "127.0.0.1:1", 0.1, null), new PoolerHolder(42, "report", "127.0.0.1:2", 7, "SELECT pg_sleep($1)"));

        PoolerMitigations.NamedHolder(report).ShouldBe(new PoolerHolder(42, "report", "127.0.0.1:2", 7, "SELECT pg_sleep($1)"));
    }

    [Fact]
    public void NamedHolder_PoolTooSmallRemedy_None() =>
        PoolerMitigations.NamedHolder(Report(DiagnosisCause.PoolerSaturated, "Raise the pooler's pool for lifeguard/lifeguard from 1 to 11",
            new PoolerHolder(42, "report", "127.0.0.1:2", 7, null))).ShouldBeNull();

    [Fact]
    public void NamedHolder_AnotherCause_None() =>
        PoolerMitigations.NamedHolder(Report(DiagnosisCause.LockContention, "SELECT pg_terminate_backend(42)")).ShouldBeNull();
}
