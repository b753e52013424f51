namespace Lifeguard.Diagnosis;

/// <summary>One active server connection of the pooler and the client it serves, longest-running first.</summary>
/// <param name="ServerPid">The PostgreSQL backend pid behind it (remote_pid).</param>
/// <param name="Application">The client's application_name ("" when none).</param>
/// <param name="ClientAddress">The client's address as the pooler sees it.</param>
/// <param name="ActiveSeconds">How long it has run its current request or transaction.</param>
/// <param name="Query">What the backend runs, read on the server when the diagnoser reads it directly; null otherwise.</param>
public sealed record PoolerHolder(int ServerPid, string Application, string ClientAddress, double ActiveSeconds, string? Query);
