using Lifeguard.Diagnosis;

namespace Lifeguard.Cli.Drill.Mitigations;

/// <summary>
/// What the drill does about one cause: <see cref="ApplyAsync"/> does the first step <see cref="Remedy"/> names (the
/// words of <see cref="CauseMitigations"/>, beside the diagnosis rules). Apply returns null when the cause was named but
/// the step does not fit what is in place (the drill then removes the fault itself and says none fits).
/// </summary>
internal sealed record MitigationAction(DiagnosisCause Cause, Func<MitigationContext, Task<DrillMitigation?>> ApplyAsync)
{
    /// <summary>The first step in the diagnosis's words.</summary>
    public string Remedy => CauseMitigations.For(Cause) ?? throw new InvalidOperationException($"{DiagnosisCauses.NameOf(Cause)} has no mitigation.");
}
