namespace Lifeguard.Sizing;

/// <summary>What the advisor could conclude.</summary>
public enum SizingVerdict
{
    /// <summary>A pool size meets the wait goal within the database's parallelism and the server's budget.</summary>
    Recommended,

    /// <summary>The queue is stable at the capped size but the wait goal is not met; the cap says which limit binds.</summary>
    GoalNotMetWithinCap,

    /// <summary>The offered load exceeds what the database can usefully run in parallel: a bigger pool only moves the queue into the database.</summary>
    DatabaseBottleneck,

    /// <summary>The server's connection budget leaves less than one connection per instance.</summary>
    NoConnectionBudget,
}
