using Lifeguard.Cli.Drill.Faults;
using Lifeguard.Cli.Drill.Mitigations;
using Lifeguard.Diagnosis;
using Lifeguard.Testing.Faults;

namespace Lifeguard.Cli.Tests.Drill.Mitigations;

public sealed class DrillMitigationsTests
{
    [Fact]
    public void ByCause_EveryFaultsExpectedCauseButThePool_HasAMitigation() =>
        DrillFaults.All.Where(f => f != DrillFaults.Pool).Select(f => DiagnosisCauses.TryParse(DrillFaults.ExpectedCause(f), out var c) ? c : DiagnosisCause.Unknown)
            .ShouldAllBe(cause => DrillMitigations.ByCause.ContainsKey(cause));

    [Fact]
    public void ByCause_EveryAction_SaysTheFirstStepTheDiagnosisTablesGive() =>
        // The words come from the table beside the diagnosis rules: no drill action without a documented first step.
        DrillMitigations.ByCause.Values.ShouldAllBe(a => a.Remedy == CauseMitigations.For(a.Cause));

    [Fact]
    public void ByCause_PoolTooSmall_IsNotAMitigationHere() =>
        // The pool's remedy is the pool scenario's fixed phase with the advisor's size; no fault drill grows a pool.
        DrillMitigations.ByCause.ContainsKey(DiagnosisCause.PoolTooSmall).ShouldBeFalse();

    [Fact]
    public async Task ApplyAsync_NoCauseNamed_RemovesTheFaultAndKeepsThePool()
    {
        var fault = new RecordingFault();

        var mitigation = await DrillMitigations.ApplyAsync(null, _ => throw new InvalidOperationException("not used"), fault, 10);

        mitigation.Action.ShouldBe("none: no cause was named; the drill removed the fault");
        (mitigation.PoolSizeBefore, mitigation.PoolSizeAfter).ShouldBe((10, 10));
        fault.Disposed.ShouldBeTrue();
    }

    [Fact]
    public async Task ApplyAsync_CauseWhoseRemedyDoesNotFitTheFault_NoneFitsAndTheFaultRemoved()
    {
        var fault = new RecordingFault();
        var diagnosis = new Lifeguard.Diagnosis.DiagnosisReport { Cause = DiagnosisCause.SlowQueries, Summary = "slow" };

        var mitigation = await DrillMitigations.ApplyAsync(diagnosis, d => new MitigationContext(d, fault, null!, 10, null!, CancellationToken.None), fault, 10);

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
