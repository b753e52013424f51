namespace Lifeguard.Diagnosis;

/// <summary>
/// The first thing a responder does about each cause, in one imperative line, beside the rules whose remedies explain it
/// with the numbers of the moment. The drill's executable mitigations are keyed by the same causes and say these words,
/// so what the drill proves is what the diagnosis tells an engineer to do.
/// </summary>
public static class CauseMitigations
{
    private static readonly Dictionary<DiagnosisCause, string> Table = new()
    {
        [DiagnosisCause.PoolTooSmall] = "size the pool from the measured load (lifeguard size), within the server's connection budget",
        [DiagnosisCause.SlowQueries] = "fix the slowed statement (a dropped or missing index: lifeguard review)",
        [DiagnosisCause.DatabaseCpu] = "stop or throttle the client burning the database's CPU",
        [DiagnosisCause.ConnectionLeak] = "find the leaking route from the leak report and fix or turn it off",
        [DiagnosisCause.LockContention] = "end the root blocker the diagnosis names",
        [DiagnosisCause.ConnectionLimit] = "free the slots of the largest other slot holder, or cap the clients that hold them",
        [DiagnosisCause.NetworkLatency] = "fix the network path (no pool size fixes round trips)",
        [DiagnosisCause.DatabaseUnavailable] = "bring the server back; the pool reconnects by itself",
        [DiagnosisCause.PoolerSaturated] = "raise the pooler's pool for the database/user within the server's slots, or end the long transaction holding it; not the application's pool",
    };

    /// <summary>Every cause that has a mitigation (all but healthy and unknown).</summary>
    public static IReadOnlyCollection<DiagnosisCause> Causes => Table.Keys;

    /// <summary>The first step for <paramref name="cause"/>; null for healthy and unknown (nothing to do, or nothing known).</summary>
    public static string? For(DiagnosisCause cause) => Table.GetValueOrDefault(cause);
}
