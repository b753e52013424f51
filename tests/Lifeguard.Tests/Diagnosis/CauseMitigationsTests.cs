using Lifeguard.Diagnosis;

namespace Lifeguard.Tests.Diagnosis;

public sealed class CauseMitigationsTests
{
    [Fact]
    public void For_EveryCauseButHealthyAndUnknown_HasAFirstStep() =>
        Enum.GetValues<DiagnosisCause>().Where(c => c is not DiagnosisCause.Healthy and not DiagnosisCause.Unknown)
            .ShouldAllBe(c => !string.IsNullOrWhiteSpace(CauseMitigations.For(c)));

    [Theory]
    [InlineData(DiagnosisCause.Healthy)]
    [InlineData(DiagnosisCause.Unknown)]
    public void For_NothingToDoOrNothingKnown_IsNull(DiagnosisCause cause) => CauseMitigations.For(cause).ShouldBeNull();

    [Fact]
    public void For_PoolTooSmall_SizesFromTheMeasuredLoadNotAGuess() =>
        // The postmortem's lesson: the pool is sized from measured load within the server's budget, never grown on a guess.
        CauseMitigations.For(DiagnosisCause.PoolTooSmall)!.ShouldContain("lifeguard size");
}
