namespace Incidents.Escalations;

/// <summary>One step of a policy; <see cref="Line"/> is where it is in the YAML file, for messages.</summary>
/// <param name="Kind">What the step does.</param>
/// <param name="Target">The user, schedule or channel notified (notify steps).</param>
/// <param name="Minutes">Wait length in minutes (wait steps; fractions allowed).</param>
/// <param name="RepeatFrom">1-based step to go back to (repeat steps).</param>
/// <param name="Times">How many times to go back (repeat steps).</param>
/// <param name="Line">1-based line in the policy file.</param>
public sealed record EscalationStep(StepKind Kind, string? Target, double Minutes, int RepeatFrom, int Times, int Line);
