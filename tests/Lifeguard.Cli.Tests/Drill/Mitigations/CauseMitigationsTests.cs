using Lifeguard.Cli.Drill.Faults;
using Lifeguard.Cli.Drill.Mitigations;
using Lifeguard.Diagnosis;
using Lifeguard.Testing.Faults;

namespace Lifeguard.Cli.Tests.Drill.Mitigations;

public sealed class CauseMitigationsTests
{
    [Fact]
    public void ByCause_EveryFaultsExpectedCauseButThePool_HasAMitigation() =>
        DrillFaults.All.Where(f => f != DrillFaults.Pool).Select(DrillFaults.ExpectedCause)
            .ShouldAllBe(cause => CauseMitigations.ByCause.ContainsKey(cause));

    [Fact]
    public void ByCause_PoolTooSmall_IsNotAMitigationHere() =>
        // The pool's remedy is the pool scenario's fixed phase with the advisor's size; no fault drill grows a pool.
        CauseMitigations.ByCause.ContainsKey(DiagnosisCauses.PoolTooSmall).ShouldBeFalse();

    [Fact]
    public async Task ApplyAsync_NoCauseNamed_RemovesTheFaultAndKeepsThePool()
    {
        var fault = new RecordingFault();

        var mitigation = await CauseMitigations.ApplyAsync(null, _ => throw new InvalidOperationException("not used"), fault, 10);

        mitigation.Action.ShouldBe("none: no cause was named; the drill removed the fault");
        (mitigation.PoolSizeBefore, mitigation.PoolSizeAfter).ShouldBe((10, 10));
        fault.Disposed.ShouldBeTrue();
    }

    [Fact]
    public async Task ApplyAsync_CauseWhoseRemedyDoesNotFitTheFault_NoneFitsAndTheFaultRemoved()
    {
        var fault = new RecordingFault();
        var diagnosis = new Lifeguard.Diagnosis.DiagnosisReport { Cause = DiagnosisCause.SlowQueries, Summary = "slow" };

        var mitigation = await CauseMitigations.ApplyAsync(diagnosis, d => new MitigationContext(d, fault, null!, 10, null!, CancellationToken.None), fault, 10);

        mitigation.Action.ShouldBe("none fits: the diagnosis named slow_queries; the drill removed the fault");
        fault.Disposed.ShouldBeTrue();
    }

    private sealed class RecordingFault : IFaultInjector
    {
        public bool Disposed { get; private set; }
        public string Description => "recorded";
        public Task InjectAsync(CancellationToken ct) => Task.CompletedTask;

        public ValueTask DisposeAsync()
        {
            Disposed = true;
            return ValueTask.CompletedTask;
        }
    }
}
