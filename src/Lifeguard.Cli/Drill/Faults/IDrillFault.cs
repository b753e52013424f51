namespace Lifeguard.Cli.Drill.Faults;

/// <summary>
/// A fault injected for real into the drill's PostgreSQL (or the path to it). Dispose undoes whatever the fault left
/// behind (an index dropped, a server stopped, sessions holding locks or slots), also when the drill fails half way.
/// </summary>
internal interface IDrillFault : IAsyncDisposable
{
    /// <summary>What was done, for the log and the report.</summary>
    string Description { get; }

    /// <summary>Injects the fault; returns once it is in effect.</summary>
    Task InjectAsync(CancellationToken ct);
}
