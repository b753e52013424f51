namespace Lifeguard.Cli.Drill.Mitigations;

/// <summary>
/// What the drill does about one cause: <see cref="Remedy"/> in the diagnosis's terms, <see cref="ApplyAsync"/> doing it.
/// Apply returns null when the cause was named but the remedy does not fit what is in place (the drill then removes
/// the fault itself and says none fits).
/// </summary>
internal sealed record CauseMitigation(string Cause, string Remedy, Func<MitigationContext, Task<DrillMitigation?>> ApplyAsync);
