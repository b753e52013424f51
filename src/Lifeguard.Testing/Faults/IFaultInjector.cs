namespace Lifeguard.Testing.Faults;

/// <summary>
/// A fault injected for real into a PostgreSQL database (or the path to it), for tests and drills that check an
/// application's diagnosis and recovery. Dispose undoes whatever the fault left behind (an index dropped, sessions
/// holding locks or slots), also when the test fails half way.
/// </summary>
public interface IFaultInjector : IAsyncDisposable
{
    /// <summary>What was done, for the log and the report.</summary>
    string Description { get; }

    /// <summary>Injects the fault; returns once it is in effect.</summary>
    /// <param name="cancellationToken">Stops the injection.</param>
    Task InjectAsync(CancellationToken cancellationToken);
}
