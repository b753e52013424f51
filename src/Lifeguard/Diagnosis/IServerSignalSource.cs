namespace Lifeguard.Diagnosis;

/// <summary>Reads the database server's side for the diagnoser, e.g. on a dedicated PostgreSQL connection.</summary>
public interface IServerSignalSource
{
    /// <summary>One sample. Never throws for an unreachable server: that is a sample with <see cref="ServerSignals.Reachable"/> false.</summary>
    Task<ServerSignals> SampleAsync(CancellationToken cancellationToken);
}
