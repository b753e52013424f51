namespace Lifeguard.Diagnosis;

/// <summary>Reads the connection pooler in front of the server (e.g. PgBouncer's admin console) for the diagnoser.</summary>
public interface IPoolerSignalSource
{
    /// <summary>One sample. Never throws for an unreachable console: that is a sample with <see cref="PoolerSignals.Reachable"/> false.</summary>
    Task<PoolerSignals> SampleAsync(CancellationToken cancellationToken);
}
